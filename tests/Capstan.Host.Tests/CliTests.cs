using Capstan.Testing;

namespace Capstan.Host.Tests;

/// <summary>The command line itself: help, usage errors and parsing conventions, through <see cref="CapstanCli"/>.</summary>
public sealed class CliTests
{
    public static TheoryData<string> Commands() => ["", "plan", "serve", "sandbox", "doctor", "certs", "version", "help"];

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Help_ListsEveryOptionTheParserKnows(string name)
    {
        var tree = CapstanCli.Create(new CliContext(TextReader.Null, TextWriter.Null, TextWriter.Null, TimeProvider.System));
        var command = name.Length == 0 ? tree : Assert.Single(tree.Subcommands, c => c.Name == name);
        using var stdout = new StringWriter();

        var exit = await CapstanCli.RunAsync(name.Length == 0 ? ["--help"] : [name, "--help"], TextReader.Null, stdout, TextWriter.Null, TimeProvider.System);

        Assert.Equal(0, exit);
        var help = stdout.ToString();
        Assert.Contains($"Usage:\n  capstan {name}".TrimEnd(), help, StringComparison.Ordinal);
        Assert.NotEmpty(command.Options);
        foreach (var option in command.Options)
        {
            Assert.False(option.Hidden, option.Name);
            foreach (var alias in option.Aliases.Append(option.Name))
            {
                Assert.Contains(alias, help, StringComparison.Ordinal);
            }

            Assert.False(string.IsNullOrWhiteSpace(option.Description), $"{name} {option.Name} has no description");
        }

        foreach (var argument in command.Arguments)
        {
            Assert.Contains($"<{argument.Name}>", help, StringComparison.Ordinal);
        }

        foreach (var sub in command.Subcommands)
        {
            Assert.Contains(sub.Name, help, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Help_ServeAndSandbox_ShowTheConfigurationKeyOfEveryValueOption()
    {
        foreach (var name in new[] { "serve", "sandbox" })
        {
            using var stdout = new StringWriter();
            await CapstanCli.RunAsync([name, "--help"], TextReader.Null, stdout, TextWriter.Null, TimeProvider.System);
            foreach (var key in new[] { "Capstan:Server:Listen", "Capstan:Tls:CertFile", "Capstan:Tls:KeyFile", "Capstan:Tls:ClientCaFile" })
            {
                Assert.Contains($"[{key}]", stdout.ToString(), StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [InlineData(new[] { "plan", "--bogus", "x.yaml" }, "capstan plan: unknown option '--bogus'")]
    [InlineData(new[] { "plan", "x.yaml", "--catalog" }, "capstan plan: --catalog needs a value")]
    [InlineData(new[] { "plan", "--scale", "inflate", "x.yaml" }, "capstan plan: --scale takes NAME=N, not 'inflate'")]
    [InlineData(new[] { "plan", "--format", "xml", "x.yaml" }, "capstan plan: --format must be table or json, not 'xml'")]
    [InlineData(new[] { "plan" }, "capstan plan: no manifest given")]
    [InlineData(new[] { "serve", "extra" }, "capstan serve: unexpected argument 'extra'")]
    [InlineData(new[] { "nope" }, "capstan: unknown command 'nope'")]
    [InlineData(new string[0], "capstan: say which command to run")]
    public async Task UsageError_OneLineInWordsThenTheUsage_Exit2(string[] args, string line)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await CapstanCli.RunAsync(args, TextReader.Null, stdout, stderr, TimeProvider.System);

        Assert.Equal(2, exit);
        Assert.Equal("", stdout.ToString());
        var lines = stderr.ToString().Split('\n');
        Assert.Equal(line, lines[0].TrimEnd());
        Assert.Contains("Usage:", stderr.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_RepeatedScale_StdinAndDoubleDash_ParseAsBefore()
    {
        var example = Path.Combine(AppContext.BaseDirectory, "Examples");
        using var dir = new TempDirectory();
        var odd = dir.Write("--inflate.yaml", File.ReadAllText(Path.Combine(example, "inflate.yaml")));
        using var stdin = new StringReader(File.ReadAllText(Path.Combine(example, "provisioner-on-demand-apps.yaml")));
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await CapstanCli.RunAsync(
            ["plan", "--scale", "other=1", "-", "--scale=inflate=4", "--format", "json", "--", odd], stdin, stdout, stderr, TimeProvider.System);

        Assert.True(exit == 0, stderr.ToString());
        Assert.Contains("Found 4 provisionable pod(s)", stderr.ToString(), StringComparison.Ordinal);
        using var doc = System.Text.Json.JsonDocument.Parse(stdout.ToString());
        Assert.NotEmpty(doc.RootElement.GetProperty("nodeClaims").EnumerateArray());
    }

    [Fact]
    public async Task Plan_ResponseFileSyntax_IsAnOrdinaryFileName()
    {
        using var stderr = new StringWriter();

        var exit = await CapstanCli.RunAsync(["plan", "@nope.yaml"], TextReader.Null, TextWriter.Null, stderr, TimeProvider.System);

        Assert.Equal(2, exit);
        Assert.Contains("@nope.yaml", stderr.ToString(), StringComparison.Ordinal);
    }
}
