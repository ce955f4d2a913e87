namespace Capstan.Core.Scheduling;

/// <summary>A node taint.</summary>
public readonly record struct Taint(string Key, string Value, TaintEffect Effect)
{
    public static bool TryParseEffect(string? text, out TaintEffect effect)
    {
        effect = text switch
        {
            null or "" => TaintEffect.None,
            "NoSchedule" => TaintEffect.NoSchedule,
            "PreferNoSchedule" => TaintEffect.PreferNoSchedule,
            "NoExecute" => TaintEffect.NoExecute,
            _ => (TaintEffect)(-1),
        };
        return (int)effect >= 0;
    }

    public static string EffectName(TaintEffect effect) => effect == TaintEffect.None ? "" : effect.ToString();

    public override string ToString() => string.IsNullOrEmpty(Value) ? $"{Key}:{EffectName(Effect)}" : $"{Key}={Value}:{EffectName(Effect)}";
}
