using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Capstan.Benchmarks.BenchmarkConfig).Assembly).Run(args, new Capstan.Benchmarks.BenchmarkConfig());
