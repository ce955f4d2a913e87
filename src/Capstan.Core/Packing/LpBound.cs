namespace Capstan.Core.Packing;

/// <summary>
/// The LP relaxation of buying capacity: minimise the total hourly price of fractional instances whose
/// cpu and memory together cover a demand. With two covering constraints an optimal vertex uses at most
/// two instance types, so the exact optimum is the best single type or pair. The dual prices of cpu and
/// memory it yields value a pod in dollars, which the packer uses to size claims.
/// </summary>
public static class LpBound
{
    /// <param name="demandCpu">Total cpu to cover (any unit, consistent with <paramref name="cpu"/>).</param>
    /// <param name="demandMemory">Total memory to cover.</param>
    /// <param name="cpu">Allocatable cpu per type.</param>
    /// <param name="memory">Allocatable memory per type.</param>
    /// <param name="price">Hourly price per type.</param>
    public static LpSolution Solve(double demandCpu, double demandMemory, IReadOnlyList<double> cpu, IReadOnlyList<double> memory, IReadOnlyList<double> price)
    {
        ArgumentNullException.ThrowIfNull(cpu);
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(price);
        if (demandCpu <= 0 && demandMemory <= 0)
        {
            return new LpSolution(0, 0, 0);
        }

        var front = ParetoFront(cpu, memory, price);
        var best = double.PositiveInfinity;
        double dualCpu = 0, dualMemory = 0;
        foreach (var t in front)
        {
            var byCpu = demandCpu > 0 ? demandCpu / cpu[t] : 0;
            var byMemory = demandMemory > 0 ? demandMemory / memory[t] : 0;
            var cost = price[t] * Math.Max(byCpu, byMemory);
            if (cost < best)
            {
                best = cost;
                (dualCpu, dualMemory) = byCpu >= byMemory ? (price[t] / cpu[t], 0.0) : (0.0, price[t] / memory[t]);
            }
        }

        for (var i = 0; i < front.Count; i++)
        {
            var a = front[i];
            for (var j = i + 1; j < front.Count; j++)
            {
                var b = front[j];
                var det = (cpu[a] * memory[b]) - (cpu[b] * memory[a]);
                if (Math.Abs(det) < 1e-12)
                {
                    continue;
                }

                var xa = ((demandCpu * memory[b]) - (cpu[b] * demandMemory)) / det;
                var xb = ((cpu[a] * demandMemory) - (demandCpu * memory[a])) / det;
                if (xa < 0 || xb < 0)
                {
                    continue;
                }

                var cost = (price[a] * xa) + (price[b] * xb);
                if (cost < best - 1e-12)
                {
                    best = cost;
                    dualCpu = ((price[a] * memory[b]) - (price[b] * memory[a])) / det;
                    dualMemory = ((cpu[a] * price[b]) - (cpu[b] * price[a])) / det;
                }
            }
        }

        return double.IsPositiveInfinity(best) ? new LpSolution(0, 0, 0) : new LpSolution(best, Math.Max(0, dualCpu), Math.Max(0, dualMemory));
    }

    /// <summary>Types not dominated by another that offers at least as much of both for no more money.</summary>
    internal static List<int> ParetoFront(IReadOnlyList<double> cpu, IReadOnlyList<double> memory, IReadOnlyList<double> price)
    {
        var order = Enumerable.Range(0, price.Count).Where(t => cpu[t] > 0 && memory[t] > 0)
            .OrderBy(t => price[t]).ThenByDescending(t => cpu[t]).ThenByDescending(t => memory[t]).ToList();
        var front = new List<int>();
        foreach (var t in order)
        {
            var dominated = false;
            foreach (var f in front)
            {
                if (cpu[f] >= cpu[t] && memory[f] >= memory[t])
                {
                    dominated = true;
                    break;
                }
            }

            if (!dominated)
            {
                front.Add(t);
            }
        }

        return front;
    }
}
