using System.Text.RegularExpressions;
using System.Xml.Linq;
using LeadFlow.Cli.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace LeadFlow.Cli.Tests;

/// <summary>
/// docker-compose.yml cannot be run here (no Docker engine), so it is checked against the code it builds: contexts,
/// Dockerfiles, published projects, entry points, ports, health checks, dependencies and every environment variable.
/// </summary>
[Collection(StackCollection.Name)]
public sealed partial class ComposeFileTests(StackFixture stack)
{
    private static readonly Lazy<YamlMappingNode> Services = new(() =>
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(RepositoryRoot.Combine("docker-compose.yml"));
        yaml.Load(reader);
        return (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"];
    });

    public static TheoryData<string> BuiltServices => [.. Services.Value.Children.Where(s => ((YamlMappingNode)s.Value).Children.ContainsKey("build")).Select(s => s.Key.ToString())];

    /// <summary>The built services that keep running (not the one-shot jobs, <c>restart: "no"</c>).</summary>
    public static TheoryData<string> BuiltServiceHosts => [.. Services.Value.Children
        .Where(s => ((YamlMappingNode)s.Value).Children.ContainsKey("build") && ((YamlMappingNode)s.Value).Children.TryGetValue("restart", out var restart) && restart.ToString() != "no")
        .Select(s => s.Key.ToString())];

    [Fact]
    public void Compose_BuildsEveryServiceHost()
    {
        Assert.Equal(["codec-server", "crm-backend", "crm-migrate", "intake", "sqs-poller", "worker"], ((IEnumerable<object[]>)BuiltServices).Select(s => (string)s[0]).Order());
    }

    [Fact]
    public void Database_PublishesNoPort_AndNothingIsPublishedBeyondLoopback()
    {
        Assert.False(Service("postgresql").Children.ContainsKey("ports"), "PostgreSQL must not be published: only the services on the compose network reach it");
        Assert.False(Service("temporal").Children.ContainsKey("ports"), "Temporal's frontend has no authentication here: do not publish it");
        foreach (var (name, node) in Services.Value.Children.Select(s => (s.Key.ToString(), (YamlMappingNode)s.Value)))
        {
            foreach (var mapping in node.Children.TryGetValue("ports", out var ports) ? ((YamlSequenceNode)ports).Select(p => p.ToString()) : [])
            {
                Assert.True(mapping.StartsWith("127.0.0.1:", StringComparison.Ordinal), $"{name} publishes {mapping} on every interface; bind it to 127.0.0.1");
            }
        }
    }

    [Fact]
    public void Secrets_HaveNoDefaults_AndTheIntakeHasItsKey()
    {
        var text = File.ReadAllText(RepositoryRoot.Combine("docker-compose.yml"));
        foreach (Match variable in Regex.Matches(text, @"\$\{(?<name>[A-Z_]*(PASSWORD|API_KEY|TOKEN|KEY_FILE)[A-Z_]*)(?<rest>[^}]*)\}"))
        {
            Assert.StartsWith(":?", variable.Groups["rest"].Value, StringComparison.Ordinal);
        }

        Assert.StartsWith("${INGRESS_API_KEY:?", Environment("intake")["Ingress__ApiKey"], StringComparison.Ordinal);
    }

    [Fact]
    public void Crm_RunsAsARoleThatCannotChangeTheSchema_MigratedByAOneShotJobAsTheOwner()
    {
        var backend = Environment("crm-backend");
        var migrate = Environment("crm-migrate");
        Assert.Contains("Username=crm_app;", backend["ConnectionStrings__Crm"], StringComparison.Ordinal);
        Assert.Equal("false", backend["Crm__MigrateOnStart"]);
        Assert.Contains("Username=crm_owner;", migrate["ConnectionStrings__Crm"], StringComparison.Ordinal);
        Assert.Equal([Crm.Backend.Data.MigrateCommand.Name], ((YamlSequenceNode)Service("crm-migrate")["command"]).Select(c => c.ToString()));
        Assert.Equal("service_completed_successfully", ((YamlMappingNode)((YamlMappingNode)Service("crm-backend")["depends_on"])["crm-migrate"])["condition"].ToString());
        Assert.Equal("temporal", Environment("temporal")["POSTGRES_USER"]);
        Assert.Equal("postgres", Environment("postgresql")["POSTGRES_USER"]);

        var roles = File.ReadAllText(RepositoryRoot.Combine("deploy", "postgres", "init-roles.sh"));
        Assert.Contains("GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO crm_app", roles, StringComparison.Ordinal);
        Assert.Contains("REVOKE CREATE ON SCHEMA public FROM PUBLIC", roles, StringComparison.Ordinal);
        Assert.DoesNotContain("CREATE ON SCHEMA public TO crm_app", roles, StringComparison.Ordinal);
        var mounted = ((YamlSequenceNode)Service("postgresql")["volumes"]).Select(v => v.ToString()).Single(v => v.Contains("init-roles.sh", StringComparison.Ordinal));
        Assert.True(File.Exists(RepositoryRoot.Combine(mounted.Split(':')[0].TrimStart('.', '/').Split('/'))), mounted);
    }

    [Fact]
    public void Temporal_IsPinned_WithASchemaJob_AndAnExplicitRetention()
    {
        foreach (var name in new[] { "temporal", "temporal-schema", "temporal-namespace", "temporal-ui" })
        {
            var image = Service(name)["image"].ToString();
            Assert.Matches(@":\d+\.\d+\.\d+", image);
        }

        Assert.Equal("service_completed_successfully", ((YamlMappingNode)((YamlMappingNode)Service("temporal")["depends_on"])["temporal-schema"])["condition"].ToString());
        Assert.Contains("setup-schema", string.Join(' ', ((YamlSequenceNode)Service("temporal-schema")["command"]).Select(c => c.ToString())), StringComparison.Ordinal);
        Assert.Contains("--retention", string.Join(' ', ((YamlSequenceNode)Service("temporal-namespace")["command"]).Select(c => c.ToString())), StringComparison.Ordinal);
        Assert.DoesNotContain("auto-setup", File.ReadAllText(RepositoryRoot.Combine("docker-compose.yml")), StringComparison.Ordinal);
    }

    [Fact]
    public void EveryService_HasARestartPolicy_OneShotJobsNever()
    {
        string[] oneShot = ["temporal-schema", "temporal-namespace", "crm-migrate"];
        foreach (var (name, node) in Services.Value.Children.Select(s => (s.Key.ToString(), (YamlMappingNode)s.Value)))
        {
            Assert.True(node.Children.TryGetValue("restart", out var restart), $"{name} has no restart policy");
            Assert.Equal(oneShot.Contains(name) ? "no" : "unless-stopped", restart.ToString());
        }
    }

    [Theory]
    [MemberData(nameof(BuiltServices))]
    public void Build_ContextDockerfileProjectAndEntryPointAgree(string service)
    {
        var (context, dockerfile) = Build(service);
        Assert.True(Directory.Exists(context), $"{service}: build context {context} does not exist");
        Assert.True(File.Exists(dockerfile), $"{service}: Dockerfile {dockerfile} does not exist");

        var facts = DockerfileFacts.Read(dockerfile);
        foreach (var source in facts.CopySources)
        {
            Assert.True(File.Exists(Path.Combine(context, source)) || Directory.Exists(Path.Combine(context, source)), $"{service}: COPY source {source} does not exist in the context");
        }

        Assert.NotNull(facts.PublishedProject);
        var project = Path.GetFullPath(Path.Combine(context, facts.PublishedProject));
        Assert.True(File.Exists(project), $"{service}: `dotnet publish {facts.PublishedProject}` names no project");
        Assert.Equal($"{AssemblyName(project)}.dll", facts.EntryPointDll);

        // Every project the published one needs must be inside what the Dockerfile copies.
        var copied = facts.CopySources.Select(s => Path.GetFullPath(Path.Combine(context, s))).ToList();
        foreach (var needed in WithReferences(project))
        {
            Assert.True(copied.Any(c => needed.StartsWith(c, StringComparison.Ordinal)), $"{service}: {Path.GetRelativePath(context, needed)} is needed to publish but not copied");
        }
    }

    [Theory]
    [MemberData(nameof(BuiltServices))]
    public void Ports_AreWhereTheAppListens(string service)
    {
        var node = Service(service);
        var urls = Environment(service).GetValueOrDefault("ASPNETCORE_URLS");
        var ports = node.Children.TryGetValue("ports", out var list) ? ((YamlSequenceNode)list).Select(p => p.ToString()).ToList() : [];
        if (ports.Count == 0 && urls is null)
        {
            return;
        }

        Assert.NotNull(urls);
        var listening = new Uri(urls.Replace("+", "localhost", StringComparison.Ordinal)).Port;
        foreach (var mapping in ports)
        {
            Assert.Equal(listening, int.Parse(mapping.Split(':')[^1], System.Globalization.CultureInfo.InvariantCulture));
        }

        if (HealthcheckUrl(service) is { } probe)
        {
            Assert.Equal(listening, probe.Port);
        }
    }

    [Theory]
    [MemberData(nameof(BuiltServices))]
    public async Task Healthcheck_ProbesARouteTheAppServes(string service)
    {
        if (HealthcheckUrl(service) is not { } probe)
        {
            return;
        }

        var facts = DockerfileFacts.Read(Build(service).Dockerfile);
        Assert.True(facts.InstallsCurl, $"{service}: the health check uses curl, which the runtime image must install");
        var assembly = AssemblyName(Path.Combine(Build(service).Context, facts.PublishedProject!));
        if (assembly is "LeadFlow.Worker" or "LeadFlow.Ingress.Sqs")
        {
            // Worker services serve no web app: their health endpoint is LeadFlow.Hosting's listener on Health__Url
            // (WorkerHealthTests and SqsPollerHostTests drive it for real).
            var url = Environment(service).GetValueOrDefault("Health__Url");
            Assert.True(url is not null, $"{service}: the health check probes {probe}, but Health__Url is not set, so nothing listens");
            Assert.Equal(new Uri(url.Replace("+", "localhost", StringComparison.Ordinal)).Port, probe.Port);
            Assert.Contains(probe.AbsolutePath, new[] { LeadFlow.Hosting.HealthListener.LivePath, LeadFlow.Hosting.HealthListener.ReadyPath });
            return;
        }

        var running = assembly switch
        {
            "LeadFlow.Crm.Backend" => stack.Stack.BackendUrl,
            "LeadFlow.Ingress.Http" => stack.Stack.IntakeUrl,
            "LeadFlow.Ingress.Codec" => new Uri(stack.Stack.CodecUrl, "/"),
            var other => throw new InvalidOperationException($"{service}: no in-process host for {other}"),
        };
        using var http = new HttpClient { BaseAddress = running };
        using var response = await http.GetAsync(new Uri(probe.PathAndQuery.TrimStart('/'), UriKind.Relative));
        Assert.True(response.IsSuccessStatusCode, $"{service}: health check path {probe.PathAndQuery} answers {(int)response.StatusCode}");
    }

    [Fact]
    public void DependsOn_TargetsExist_AndHaveHealthchecksWhereHealthIsAwaited()
    {
        foreach (var (name, node) in Services.Value.Children.Select(s => (s.Key.ToString(), (YamlMappingNode)s.Value)))
        {
            if (!node.Children.TryGetValue("depends_on", out var dependsOn))
            {
                continue;
            }

            foreach (var (target, condition) in ((YamlMappingNode)dependsOn).Children.Select(d => (d.Key.ToString(), ((YamlMappingNode)d.Value)["condition"].ToString())))
            {
                Assert.True(Services.Value.Children.ContainsKey(target), $"{name} depends on {target}, which is no service");
                Assert.Contains(condition, new[] { "service_started", "service_healthy", "service_completed_successfully" });
                if (condition == "service_healthy")
                {
                    Assert.True(Service(target).Children.ContainsKey("healthcheck"), $"{name} waits for {target} to be healthy, but {target} has no healthcheck");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(BuiltServices))]
    public void EveryVariable_IsASettingTheServiceReads(string service)
    {
        var (context, dockerfile) = Build(service);
        var project = Path.Combine(context, DockerfileFacts.Read(dockerfile).PublishedProject!);
        var keys = ConfigurationKeys.Of(AssemblyName(project));
        var sources = string.Join('\n', WithReferences(project).SelectMany(d => Directory.EnumerateFiles(d, "*.cs", SearchOption.AllDirectories)).Select(File.ReadAllText));
        var isWeb = File.ReadAllText(project).Contains("Microsoft.NET.Sdk.Web", StringComparison.Ordinal);

        foreach (var (variable, value) in Environment(service))
        {
            var key = variable.Replace("__", ":", StringComparison.Ordinal);
            var known = keys.Contains(key)
                || keys.Any(k => k.EndsWith(ConfigurationKeys.AnyEntry, StringComparison.Ordinal) && key.StartsWith(k[..^1], StringComparison.OrdinalIgnoreCase) && key.Length > k.Length - 1)
                || (key.StartsWith("ConnectionStrings:", StringComparison.Ordinal) && sources.Contains($"GetConnectionString(\"{key["ConnectionStrings:".Length..]}\")", StringComparison.Ordinal))
                || (variable == "ASPNETCORE_URLS" && isWeb)
                || (!variable.Contains("__", StringComparison.Ordinal) && sources.Contains($"\"{variable}\"", StringComparison.Ordinal));
            Assert.True(known, $"{service}: {variable} is read by nothing in {Path.GetFileName(project)} or its references (known settings: {string.Join(", ", keys.Order())})");
            Assert.False(string.IsNullOrEmpty(value) && !variable.StartsWith("AWS_", StringComparison.Ordinal) && !key.EndsWith("QueueUrl", StringComparison.Ordinal), $"{service}: {variable} is empty");
        }
    }

    /// <summary>
    /// Every service host that keeps running exports its traces, metrics and logs to the dashboard service under a name of
    /// its own (the one-shot migration job exports nothing worth keeping).
    /// </summary>
    [Theory]
    [MemberData(nameof(BuiltServiceHosts))]
    public void EveryServiceHost_ExportsTelemetryToTheDashboard_UnderItsOwnName(string service)
    {
        var variables = Environment(service);
        Assert.True(variables.TryGetValue("OTEL_EXPORTER_OTLP_ENDPOINT", out var endpoint), $"{service} sets no OTEL_EXPORTER_OTLP_ENDPOINT: its telemetry reaches no dashboard");
        Assert.Equal("http://aspire-dashboard:18889", endpoint);
        Assert.Equal($"leadflow-{(service == "sqs-poller" ? "ingress-sqs" : service)}", variables["OTEL_SERVICE_NAME"]);
    }

    /// <summary>
    /// The Web UI decrypts through the codec server: its codec endpoint is the codec server's published /codec URL, the
    /// browser's origin is one the codec server answers CORS for, the UI sends cookies (the sign-in session: it has no
    /// token to pass), and the codec server holds the same key ring file as every service that writes payloads.
    /// </summary>
    [Fact]
    public void TemporalUi_DecodesThroughTheCodecServer_WithTheKeyRingTheServicesEncryptWith()
    {
        var ui = Environment("temporal-ui");
        var codec = Environment("codec-server");
        var endpoint = new Uri(ui["TEMPORAL_CODEC_ENDPOINT"]);
        var published = ((YamlSequenceNode)Service("codec-server")["ports"]).Select(p => p.ToString()).Single();
        Assert.Equal($"127.0.0.1:{endpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)}", published[..published.LastIndexOf(':')]);
        Assert.Equal("/codec", endpoint.AbsolutePath);
        Assert.Equal("true", ui["TEMPORAL_CODEC_INCLUDE_CREDENTIALS"]);
        Assert.Equal("true", codec["Codec__SignInLinks"]);

        var uiOrigin = ui["TEMPORAL_CORS_ORIGINS"];
        Assert.Contains(uiOrigin, codec.Where(v => v.Key.StartsWith("Codec__AllowedOrigins__", StringComparison.Ordinal)).Select(v => v.Value));
        Assert.StartsWith("${CODEC_ACCESS_TOKEN:?", codec.Single(v => v.Key.StartsWith("Codec__AccessTokens__", StringComparison.Ordinal)).Value, StringComparison.Ordinal);

        foreach (var service in new[] { "codec-server", "worker", "intake", "sqs-poller" })
        {
            var keyFile = Environment(service)["LeadFlow__Encryption__KeyFile"];
            var secrets = ((YamlSequenceNode)Service(service)["secrets"]).Select(s => s.ToString()).ToList();
            Assert.Equal($"/run/secrets/{Assert.Single(secrets)}", keyFile);
        }

        var file = File.ReadAllText(RepositoryRoot.Combine("docker-compose.yml"));
        Assert.Contains("file: ${LEADFLOW_KEY_FILE:?", file, StringComparison.Ordinal);
    }

    private static YamlMappingNode Service(string name) => (YamlMappingNode)Services.Value[name];

    private static (string Context, string Dockerfile) Build(string service)
    {
        var build = (YamlMappingNode)Service(service)["build"];
        var context = Path.GetFullPath(Path.Combine(RepositoryRoot.Path, build["context"].ToString()));
        var dockerfile = build.Children.TryGetValue("dockerfile", out var file) ? file.ToString() : "Dockerfile";
        return (context, Path.GetFullPath(Path.Combine(context, dockerfile)));
    }

    private static Dictionary<string, string> Environment(string service) =>
        Service(service).Children.TryGetValue("environment", out var environment)
            ? ((YamlMappingNode)environment).Children.ToDictionary(e => e.Key.ToString(), e => e.Value.ToString())
            : [];

    private static Uri? HealthcheckUrl(string service)
    {
        if (!Service(service).Children.TryGetValue("healthcheck", out var healthcheck))
        {
            return null;
        }

        var test = string.Join(' ', ((YamlSequenceNode)((YamlMappingNode)healthcheck)["test"]).Select(t => t.ToString()));
        return UrlPattern().Match(test) is { Success: true } match ? new Uri(match.Value) : null;
    }

    private static string AssemblyName(string project) =>
        XDocument.Load(project).Descendants("AssemblyName").FirstOrDefault()?.Value ?? Path.GetFileNameWithoutExtension(project);

    /// <summary>The project's folder and those of every project it references, transitively.</summary>
    private static IReadOnlyList<string> WithReferences(string project)
    {
        var found = new List<string>();
        var pending = new Stack<string>([Path.GetFullPath(project)]);
        while (pending.TryPop(out var next))
        {
            var directory = Path.GetDirectoryName(next)! + Path.DirectorySeparatorChar;
            if (found.Contains(directory))
            {
                continue;
            }

            found.Add(directory);
            foreach (var reference in XDocument.Load(next).Descendants("ProjectReference"))
            {
                pending.Push(Path.GetFullPath(Path.Combine(directory, reference.Attribute("Include")!.Value.Replace('\\', '/'))));
            }
        }

        return found;
    }

    [GeneratedRegex(@"https?://[^\s""']+")]
    private static partial Regex UrlPattern();
}
