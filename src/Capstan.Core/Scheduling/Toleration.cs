namespace Capstan.Core.Scheduling;

/// <summary>
/// A pod toleration with Kubernetes semantics: operator Exists matches any value (and, with an
/// empty key, any taint); operator Equal (the default) needs the same value; an empty effect
/// matches every effect.
/// </summary>
public readonly record struct Toleration(string Key, TolerationOperator Operator, string Value, TaintEffect Effect)
{
    public static Toleration Equal(string key, string value, TaintEffect effect = TaintEffect.None) =>
        new(key, TolerationOperator.Equal, value, effect);

    public static Toleration Exists(string key = "", TaintEffect effect = TaintEffect.None) =>
        new(key, TolerationOperator.Exists, "", effect);

    public bool Tolerates(Taint taint)
    {
        if (Effect != TaintEffect.None && Effect != taint.Effect)
        {
            return false;
        }

        if (Key.Length > 0 && !string.Equals(Key, taint.Key, StringComparison.Ordinal))
        {
            return false;
        }

        return Operator switch
        {
            TolerationOperator.Exists => true,
            _ => Key.Length > 0 && string.Equals(Value ?? "", taint.Value ?? "", StringComparison.Ordinal),
        };
    }

    /// <summary>
    /// Null when every taint that blocks scheduling (NoSchedule, NoExecute) is tolerated; otherwise the
    /// first untolerated one. PreferNoSchedule never blocks.
    /// </summary>
    public static Taint? FirstUntolerated(IReadOnlyList<Taint> taints, IReadOnlyList<Toleration> tolerations)
    {
        foreach (var taint in taints)
        {
            if (taint.Effect == TaintEffect.PreferNoSchedule)
            {
                continue;
            }

            var tolerated = false;
            foreach (var toleration in tolerations)
            {
                if (toleration.Tolerates(taint))
                {
                    tolerated = true;
                    break;
                }
            }

            if (!tolerated)
            {
                return taint;
            }
        }

        return null;
    }
}
