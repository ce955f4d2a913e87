using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Reflection;
using Capstan.Host.Commands;
using Capstan.Host.Options;

namespace Capstan.Host;

/// <summary>
/// The command line of <c>capstan</c> (System.CommandLine): <c>plan</c>, <c>serve</c>, <c>sandbox</c>, <c>doctor</c>,
/// <c>certs</c>, <c>version</c>. A usage error is one line in words, then the command's help, on stderr, with exit code 2; help
/// goes to stdout with 0.
/// </summary>
public static class CapstanCli
{
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr) =>
        RunAsync(args, Console.In, stdout, stderr, TimeProvider.System);

    public static Task<int> RunAsync(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdin);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        ArgumentNullException.ThrowIfNull(time);
        return InvokeAsync(args, new CliContext(stdin, stdout, stderr, time));
    }

    /// <summary><c>capstan VERSION</c>: the assembly's informational version (with the commit the SDK adds after a '+').</summary>
    public static string Version =>
        typeof(CapstanCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(CapstanCli).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>The whole command tree, each command's action bound to <paramref name="context"/>.</summary>
    internal static Command Create(CliContext context)
    {
        var root = new Command("capstan", "Capstan: a Kubernetes node provisioner (Karpenter v1alpha5-compatible)");
        var version = new Option<bool>("--version") { Description = "print the version and exit", Arity = ArgumentArity.Zero };
        version.Action = new VersionAction(context.Stdout);
        root.Add(version);
        root.Add(PlanCommand.Create(context));
        root.Add(ServeCommand.Create(context));
        root.Add(SandboxCommand.Create(context));
        root.Add(DoctorCommand.Create(context));
        root.Add(CertsCommand.Create(context));
        var versionCommand = new Command("version", "print the version");
        versionCommand.SetAction(_ => PrintVersion(context.Stdout));
        AddHelp(versionCommand);
        root.Add(versionCommand);
        var help = new Command("help", "show the help of capstan or of one command");
        var topic = new Argument<string?>("COMMAND") { Arity = ArgumentArity.ZeroOrOne, Description = "the command to explain" };
        help.Add(topic);
        AddHelp(help);
        help.SetAction(result =>
        {
            var name = result.GetValue(topic);
            var target = name is null ? root : root.Subcommands.FirstOrDefault(c => c.Name == name);
            if (target is null)
            {
                return Fail(context, root, $"capstan: unknown command '{name}'");
            }

            WriteHelp(target, context.Stdout);
            return 0;
        });
        root.Add(help);
        root.SetAction(_ => Fail(context, root, "capstan: say which command to run"));
        AddHelp(root);
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/> (the command name first) against the whole tree.</summary>
    internal static async Task<int> InvokeAsync(IReadOnlyList<string> args, CliContext context)
    {
        var result = Parse(args, context);
        if (IsUsageError(result))
        {
            return ReportError(result, context);
        }

        try
        {
            return await result.InvokeAsync(Invocation(context), context.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (ConfigurationValues.Describe(e) is { } problem)
        {
            await context.Stderr.WriteLineAsync($"capstan {result.CommandResult.Command.Name}: {problem}").ConfigureAwait(false);
            return 2;
        }
    }

    /// <summary>The synchronous twin of <see cref="InvokeAsync"/> (plan and certs run without awaiting).</summary>
    internal static int Invoke(IReadOnlyList<string> args, CliContext context)
    {
        var result = Parse(args, context);
        if (IsUsageError(result))
        {
            return ReportError(result, context);
        }

        try
        {
            return result.Invoke(Invocation(context));
        }
        catch (Exception e) when (ConfigurationValues.Describe(e) is { } problem)
        {
            context.Stderr.WriteLine($"capstan {result.CommandResult.Command.Name}: {problem}");
            return 2;
        }
    }

    /// <summary>The whole tree parses <paramref name="args"/>; an argument starting with <c>@</c> is a file name, not a response file.</summary>
    private static ParseResult Parse(IReadOnlyList<string> args, CliContext context) =>
        Create(context).Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });

    private static bool IsUsageError(ParseResult result) => result.Action is ParseErrorAction || UnknownOption(result) is not null;

    /// <summary>
    /// A value of a command's argument, before <c>--</c>, that looks like an option: an unknown option
    /// (System.CommandLine takes it for, say, a file name).
    /// </summary>
    private static string? UnknownOption(ParseResult result)
    {
        var tokens = result.Tokens;
        var end = 0;
        while (end < tokens.Count && tokens[end].Type != TokenType.DoubleDash)
        {
            end++;
        }

        var beforeDoubleDash = tokens.Take(end).ToHashSet(ReferenceEqualityComparer.Instance);
        return result.CommandResult.Command.Arguments
            .SelectMany(argument => result.GetResult(argument)?.Tokens ?? [])
            .FirstOrDefault(token => beforeDoubleDash.Contains(token) && token.Value.StartsWith("--", StringComparison.Ordinal))
            ?.Value;
    }

    private static InvocationConfiguration Invocation(CliContext context) => new()
    {
        Output = context.Stdout,
        Error = context.Stderr,
        // Exceptions are the commands' to report; the web host handles SIGTERM and Ctrl+C itself.
        EnableDefaultExceptionHandler = false,
        ProcessTerminationTimeout = null,
    };

    /// <summary>The first problem, in words, then the help of the command it concerns, on stderr; exit 2.</summary>
    private static int ReportError(ParseResult result, CliContext context)
    {
        var command = result.CommandResult.Command;
        var prefix = command.Parents.Any() ? $"capstan {command.Name}" : "capstan";
        string message;
        if (UnknownOption(result) is { } unknown)
        {
            message = $"unknown option '{unknown}'";
        }
        else if (result.UnmatchedTokens.Count > 0)
        {
            var token = result.UnmatchedTokens[0];
            message = token.StartsWith('-') ? $"unknown option '{token}'"
                : command.Parents.Any() ? $"unexpected argument '{token}'" : $"unknown command '{token}'";
        }
        else
        {
            var error = result.Errors[0];
            message = error.SymbolResult is OptionResult option && option.Tokens.Count == 0 && option.Option.Arity.MinimumNumberOfValues > 0
                ? $"{option.Option.Name} needs a value"
                : error.SymbolResult is CommandResult { Command.Subcommands.Count: > 0 } && result.Tokens.Count == 0
                    ? "say which command to run"
                    : error.Message.TrimEnd('.');
        }

        return Fail(context, command, $"{prefix}: {message}");
    }

    private static int Fail(CliContext context, Command command, string line)
    {
        context.Stderr.WriteLine(line);
        WriteHelp(command, context.Stderr);
        return 2;
    }

    /// <summary>Adds <c>-h/--help</c> to a command (the tree is not a RootCommand, so none comes by default).</summary>
    internal static void AddHelp(Command command)
    {
        var help = new HelpOption("--help", "-h");
        help.Action = new NotedHelp(help.Action!);
        command.Add(help);
    }

    /// <summary>Writes a command's help (what <c>--help</c> prints) to <paramref name="writer"/>.</summary>
    internal static void WriteHelp(Command command, TextWriter writer)
    {
        var path = new List<string> { "--help" };
        Command? root = command;
        for (var current = command; current is not null; current = current.Parents.OfType<Command>().FirstOrDefault())
        {
            root = current;
            if (current.Parents.Any())
            {
                path.Insert(0, current.Name);
            }
        }

        root!.Parse(path, new ParserConfiguration { ResponseFileTokenReplacer = null })
            .Invoke(new InvocationConfiguration { Output = writer, Error = writer, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
    }

    /// <summary>Notes written after a command's options (configuration keys, the environment).</summary>
    internal static Dictionary<string, string> Notes { get; } = new(StringComparer.Ordinal)
    {
        ["serve"] = "Every option is a configuration key (shown in brackets) and can also come from the environment,\ne.g. Capstan__Tls__CertFile=/tls/tls.crt, or from appsettings.json.",
        ["sandbox"] = "Every option is a configuration key (shown in brackets) and can also come from the environment.",
        ["doctor"] = "Credentials come from the AWS SDK's default chain; AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> redirect calls.",
    };

    /// <summary>The library's help, then the command's notes.</summary>
    private sealed class NotedHelp(CommandLineAction help) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            ((SynchronousCommandLineAction)help).Invoke(parseResult);
            var output = parseResult.InvocationConfiguration.Output;
            if (Notes.TryGetValue(parseResult.CommandResult.Command.Name, out var note))
            {
                output.WriteLine(note);
                output.WriteLine();
            }

            return 0;
        }
    }

    private static int PrintVersion(TextWriter stdout)
    {
        stdout.WriteLine($"capstan {Version}");
        return 0;
    }

    private sealed class VersionAction(TextWriter stdout) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult) => PrintVersion(stdout);
    }
}

/// <summary>What the commands run with: the standard streams, the clock, and the seams tests set.</summary>
internal sealed record CliContext(TextReader Stdin, TextWriter Stdout, TextWriter Stderr, TimeProvider Time)
{
    /// <summary>Runs a built host until it stops (<c>serve</c>).</summary>
    public Func<WebApplication, string, Task<int>> RunHost { get; init; } = (app, command) => HostRunner.RunAsync(app, command, Stderr);

    public Action<WebApplicationBuilder>? Configure { get; init; }

    public Capstan.Aws.Clients.AwsEndpoints? AwsEndpoints { get; init; }

    public Amazon.Runtime.AWSCredentials? AwsCredentials { get; init; }

    /// <summary>Given to the command's action: cancelling it stops a long-running command (the sandbox) as Ctrl-C does.</summary>
    public CancellationToken CancellationToken { get; init; }
}
