using Capstan.Host;

return await CapstanCli.RunAsync(args, Console.Out, Console.Error);
