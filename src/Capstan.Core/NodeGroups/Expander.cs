using System.Text.RegularExpressions;

namespace Capstan.Core.NodeGroups;

/// <summary>
/// Chooses among scale-up options the way Cluster Autoscaler's <c>--expander</c> does, with the same names. Several
/// can be chained (<c>priority,least-waste</c>): each keeps the options it likes best and hands them to the next; a
/// tie left at the end goes to the option whose name sorts first, so that the same cluster gets the same answer.
/// </summary>
public sealed class Expander
{
    public const string LeastWaste = "least-waste";
    public const string Price = "price";
    public const string Priority = "priority";
    public const string Random = "random";
    public const string MostPods = "most-pods";
    public const string LeastNodes = "least-nodes";

    /// <summary>Every strategy, in the order the documentation lists them.</summary>
    public static readonly IReadOnlyList<string> Names = [LeastWaste, Price, Priority, Random, MostPods, LeastNodes];

    private const double Epsilon = 1e-9;
    private readonly IReadOnlyList<string> _chain;
    private readonly Random _random;

    /// <param name="chain">strategy names in order (validated by the options)</param>
    /// <param name="random">the generator the <c>random</c> strategy draws from (seeded by the caller)</param>
    public Expander(IReadOnlyList<string> chain, Random random)
    {
        ArgumentNullException.ThrowIfNull(chain);
        foreach (var name in chain)
        {
            if (!Names.Contains(name))
            {
                throw new ArgumentException($"unknown expander {name}", nameof(chain));
            }
        }

        _chain = chain.Count == 0 ? [LeastWaste] : chain;
        _random = random;
    }

    /// <summary>Reads <c>least-waste</c> or <c>priority,least-waste</c>; null with the problem in words when a name is unknown.</summary>
    public static IReadOnlyList<string>? ParseChain(string? text, out string? problem)
    {
        problem = null;
        var names = (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var unknown = names.Where(n => !Names.Contains(n)).ToList();
        if (unknown.Count > 0)
        {
            problem = $"unknown expander {string.Join(", ", unknown)} (known: {string.Join(", ", Names)})";
            return null;
        }

        return names.Length == 0 ? [LeastWaste] : names;
    }

    public IReadOnlyList<string> Chain => _chain;

    /// <summary>The option to take, or null when none helps any pod.</summary>
    /// <param name="options">the candidates</param>
    /// <param name="priorities">the priority ConfigMap's content, for the <c>priority</c> strategy (null: none)</param>
    public ScaleUpOption? Choose(IReadOnlyList<ScaleUpOption> options, ExpanderPriorities? priorities = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<ScaleUpOption> left = [.. options.Where(o => o.Pods.Count > 0 && o.NodeCount > 0).OrderBy(o => o.Name, StringComparer.Ordinal)];
        foreach (var strategy in _chain)
        {
            if (left.Count <= 1)
            {
                break;
            }

            left = strategy switch
            {
                LeastWaste => Best(left, o => o.Waste),
                Price => Best(left, o => o.PricePerHour / o.Pods.Count),
                MostPods => Best(left, o => -o.Pods.Count),
                LeastNodes => Best(left, o => o.NodeCount),
                Priority => ByPriority(left, priorities),
                Random => [left[_random.Next(left.Count)]],
                _ => left,
            };
        }

        return left.Count == 0 ? null : left[0];
    }

    private static List<ScaleUpOption> Best(IReadOnlyList<ScaleUpOption> options, Func<ScaleUpOption, double> score)
    {
        var best = options.Min(score);
        return [.. options.Where(o => score(o) <= best + Epsilon)];
    }

    private static IReadOnlyList<ScaleUpOption> ByPriority(IReadOnlyList<ScaleUpOption> options, ExpanderPriorities? priorities)
    {
        if (priorities is null)
        {
            return options;
        }

        // Options no pattern matches are dropped, unless none matches at all (then the rest of the chain decides).
        var ranked = options.Select(o => (Option: o, Priority: priorities.PriorityOf(o.MatchNames))).Where(r => r.Priority is not null).ToList();
        if (ranked.Count == 0)
        {
            return options;
        }

        var top = ranked.Max(r => r.Priority!.Value);
        return [.. ranked.Where(r => r.Priority == top).Select(r => r.Option)];
    }
}

/// <summary>
/// The priority expander's configuration: Cluster Autoscaler's ConfigMap <c>cluster-autoscaler-priority-expander</c>,
/// whose <c>priorities</c> key maps a priority (higher wins) to regular expressions matched against group names.
/// </summary>
public sealed class ExpanderPriorities
{
    private readonly IReadOnlyList<(int Priority, Regex Pattern)> _patterns;

    private ExpanderPriorities(IReadOnlyList<(int, Regex)> patterns) => _patterns = patterns;

    /// <summary>Compiles the patterns; every pattern that is not a valid regular expression is a problem in words.</summary>
    public static ExpanderPriorities Create(IReadOnlyDictionary<int, IReadOnlyList<string>> priorities, out IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(priorities);
        var patterns = new List<(int, Regex)>();
        var wrong = new List<string>();
        foreach (var (priority, list) in priorities)
        {
            foreach (var pattern in list)
            {
                try
                {
                    patterns.Add((priority, new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100))));
                }
                catch (ArgumentException)
                {
                    wrong.Add($"priority {priority}: \"{pattern}\" is not a regular expression");
                }
            }
        }

        problems = wrong;
        return new ExpanderPriorities(patterns);
    }

    public int Count => _patterns.Count;

    /// <summary>The highest priority whose pattern matches one of the names, or null.</summary>
    public int? PriorityOf(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        int? best = null;
        foreach (var name in names)
        {
            foreach (var (priority, pattern) in _patterns)
            {
                if ((best is null || priority > best) && pattern.IsMatch(name))
                {
                    best = priority;
                }
            }
        }

        return best;
    }
}
