using System.Reflection;
using System.Text.RegularExpressions;
using LeadFlow.StepFunctions.Tests.Support;
using LeadFlow.Steps;
using LeadFlow.Steps.Crm;
using YamlDotNet.RepresentationModel;
using static LeadFlow.StepFunctions.Tests.Support.CloudFormationTemplate;

namespace LeadFlow.StepFunctions.Tests;

/// <summary>The SAM template parses, and everything it points at exists: resources, parameters, files, handlers.</summary>
public sealed class TemplateTests
{
    private static readonly string[] PseudoParameters =
        ["AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition", "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix"];

    private readonly CloudFormationTemplate template = Load(RepositoryPaths.Template);

    [Fact]
    public void Template_ParsesWithCloudFormationShortFormTags()
    {
        Assert.Equal("AWS::Serverless-2016-10-31", ValueOf(Child(template.Root, "Transform")));
        Assert.Contains(template.ResourcesOfType("AWS::StepFunctions::StateMachine"), r => r.Resource == "LeadOnboardingStateMachine");
        Assert.Contains(template.References(), r => r.Target == "LeadBus");
    }

    [Fact]
    public void EveryReference_IsAResourceOrParameter_AndEveryConditionExists()
    {
        var known = template.Resources.Keys.Concat(template.Parameters).Concat(PseudoParameters).ToHashSet();

        Assert.Empty(template.References().Where(r => !known.Contains(r.Target)).Select(r => $"{r.Where}: {r.Target}"));
        Assert.Empty(template.ConditionReferences().Where(c => !template.Conditions.Contains(c.Target)).Select(c => $"{c.Where}: {c.Target}"));
    }

    [Fact]
    public void StepFunctionHandlers_ResolveAsTheLambdaRuntimeResolvesThem() =>
        Assert.Empty(HandlerProblems(handler => handler.StartsWith("LeadFlow.StepFunctions.Lambdas::", StringComparison.Ordinal)));

    [Fact]
    public void IngressFunctionHandler_ResolvesAsTheLambdaRuntimeResolvesIt() =>
        Assert.Empty(HandlerProblems(handler => handler.StartsWith("LeadFlow.Ingress.Lambda::", StringComparison.Ordinal)));

    [Fact]
    public void EveryFunction_RunsOneOfOurProjects() =>
        Assert.All(template.ResourcesOfType("AWS::Serverless::Function"), f =>
            Assert.Matches("^LeadFlow\\.(StepFunctions\\.Lambdas|Ingress\\.Lambda)::", ValueOf(Child(f.Properties, "Handler")) ?? ""));

    [Fact]
    public void StateMachine_UsesTheCommittedDefinition_WithOneStepLambdaPerPlaceholder()
    {
        var (_, machine) = Assert.Single(template.ResourcesOfType("AWS::StepFunctions::StateMachine"));
        Assert.Equal(Path.GetFullPath(RepositoryPaths.Definition), Path.GetFullPath(Path.Combine(RepositoryPaths.StepFunctions, ValueOf(Child(machine, "DefinitionS3Location"))!)));

        var substitutions = (YamlMappingNode)Child(machine, "DefinitionSubstitutions")!;
        Assert.Equal(AslDocument.Placeholders().Order(), substitutions.Children.Keys.Select(k => ValueOf(k)!).Order());
        foreach (var step in LeadOnboardingSteps.InOrder.Append(LeadOnboardingSteps.ErrorStep))
        {
            var arn = Child(substitutions, LeadOnboardingStateMachine.FunctionArnVariable(step.Name))!;
            Assert.Equal("!GetAtt", Tag(arn));
            var function = ValueOf(arn)!.Split('.')[0];
            var properties = (YamlMappingNode)Child(template.Resources[function], "Properties")!;
            Assert.EndsWith($"::{typeof(LeadOnboardingStepHandlers).FullName}::{LeadOnboardingStateMachine.HandlerMethodOf(step.Name)}", ValueOf(Child(properties, "Handler")));
            Assert.Equal((int)step.StartToCloseTimeout.TotalSeconds, int.Parse(ValueOf(Child(properties, "Timeout"))!, System.Globalization.CultureInfo.InvariantCulture));

            // Every CRM setting, the key as the ARN of its secret (read at start), never the key itself.
            var variables = ((YamlMappingNode)Child(Child(properties, "Environment"), "Variables")!).Children.Keys.Select(k => ValueOf(k)!).ToHashSet();
            Assert.Subset(variables, typeof(CrmOptions).GetProperties().Select(p => $"{CrmOptions.Section}__{p.Name}{(p.Name == nameof(CrmOptions.ApiKey) ? "SecretArn" : "")}").ToHashSet());
            Assert.DoesNotContain($"{CrmOptions.Section}__{nameof(CrmOptions.ApiKey)}", variables);
        }
    }

    /// <summary>
    /// Every function gets the OTEL_* variables (Globals, merged into each function's own) only when the OtlpEndpoint
    /// parameter is given: by default the functions have no endpoint, so no telemetry set-up at all.
    /// </summary>
    [Fact]
    public void EveryFunction_GetsTheOtelSettings_OnlyWhenAnEndpointIsGiven()
    {
        var function = Child(Child(template.Root, "Globals"), "Function");
        var variables = (YamlMappingNode)Child(Child(function, "Environment"), "Variables")!;
        foreach (var (variable, parameter) in new[] { ("OTEL_EXPORTER_OTLP_ENDPOINT", "OtlpEndpoint"), ("OTEL_EXPORTER_OTLP_PROTOCOL", "OtlpProtocol"), ("OTEL_RESOURCE_ATTRIBUTES", "OtelResourceAttributes") })
        {
            var value = (YamlSequenceNode)Child(variables, variable)!;
            Assert.Equal("!If", Tag(value));
            Assert.Equal(parameter, ValueOf(value.Children[1]));
            Assert.Equal("AWS::NoValue", ValueOf(value.Children[2]));
        }

        Assert.Equal("", ValueOf(Child(Child(Child(template.Root, "Parameters"), "OtlpEndpoint"), "Default")));
        Assert.Equal("", ValueOf(Child(Child(Child(template.Root, "Parameters"), "AdotCollectorLayerArn"), "Default")));
        Assert.Equal("!If", Tag(Child(function, "Layers")!));
        Assert.All(template.ResourcesOfType("AWS::Serverless::Function"), f =>
        {
            var own = Child(Child(f.Properties, "Environment"), "Variables") as YamlMappingNode;
            Assert.DoesNotContain(own?.Children.Keys.Select(k => ValueOf(k)!) ?? [], k => k.StartsWith("OTEL_", StringComparison.Ordinal));
            Assert.Null(Child(f.Properties, "Layers"));
        });
    }

    [Fact]
    public void StateMachine_EncryptsExecutionsWithTheStacksKmsKey_AndLogsNoExecutionData()
    {
        var (_, machine) = Assert.Single(template.ResourcesOfType("AWS::StepFunctions::StateMachine"));
        var encryption = Child(machine, "EncryptionConfiguration");
        Assert.Equal("CUSTOMER_MANAGED_KMS_KEY", ValueOf(Child(encryption, "Type")));
        var keyArn = Child(encryption, "KmsKeyId")!;
        Assert.Equal("!GetAtt", Tag(keyArn));
        var key = ValueOf(keyArn)!.Split('.')[0];
        Assert.Equal("AWS::KMS::Key", ValueOf(Child(template.Resources[key], "Type")));
        Assert.Equal("true", ValueOf(Child(Child(template.Resources[key], "Properties"), "EnableKeyRotation")));

        var logging = Child(machine, "LoggingConfiguration");
        Assert.Equal("false", ValueOf(Child(logging, "IncludeExecutionData")));
        Assert.Equal("ERROR", ValueOf(Child(logging, "Level")));

        // The state machine's role and the ingress Lambda (which starts executions) may use that key, for this state machine only.
        var role = ValueOf(Child(machine, "RoleArn"))!.Split('.')[0];
        var roleStatements = Child(Child(((YamlSequenceNode)Child(Child(template.Resources[role], "Properties"), "Policies")!).Children[0], "PolicyDocument"), "Statement");
        var ingressStatements = Child(((YamlSequenceNode)Child(Child(template.Resources["LeadEventFunction"], "Properties"), "Policies")!).Children[0], "Statement");
        foreach (var statements in new[] { ((YamlSequenceNode)roleStatements!).Children, ((YamlSequenceNode)ingressStatements!).Children })
        {
            var kms = Assert.Single(statements, st => ValueOf(Child(st, "Resource")) == $"{key}.Arn");
            Assert.Contains("kms:GenerateDataKey", ((YamlSequenceNode)Child(kms, "Action")!).Children.Select(a => ValueOf(a)));
            Assert.NotNull(Child(Child(Child(kms, "Condition"), "StringEquals"), "kms:EncryptionContext:aws:states:stateMachineArn"));
        }
    }

    [Fact]
    public void IntakeQueue_HasItsDeadLetterQueue_AndTheApiComesFromTheBackendsOpenApiExport()
    {
        var queue = template.Resources["LeadIntakeQueue"];
        var redrive = Child(Child(queue, "Properties"), "RedrivePolicy");
        Assert.Equal("LeadIntakeDeadLetterQueue", ValueOf(Child(redrive, "deadLetterTargetArn"))!.Split('.')[0]);

        var (_, api) = Assert.Single(template.ResourcesOfType("AWS::Serverless::Api"));
        var include = Child(Child(api, "DefinitionBody"), "Fn::Transform");
        Assert.Equal("AWS::Include", ValueOf(Child(include, "Name")));
        var location = Path.GetFullPath(Path.Combine(RepositoryPaths.StepFunctions, ValueOf(Child(Child(include, "Parameters"), "Location"))!));
        Assert.True(File.Exists(location), $"The backend's OpenAPI export {location} is missing");
        Assert.Contains("x-amazon-apigateway-integration", File.ReadAllText(location), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("LeadIntakeDeadLetterQueue", "ApproximateNumberOfMessagesVisible", "0")]
    [InlineData("LeadIntakePoisonQueue", "ApproximateNumberOfMessagesVisible", "0")]
    [InlineData("LeadIntakeQueue", "ApproximateAgeOfOldestMessage", "900")]
    [InlineData("LeadLambdaQueue", "ApproximateAgeOfOldestMessage", "900")]
    public void Queue_HasAnAlarm_ThatNotifiesTheAlarmTopic(string queue, string metric, string threshold)
    {
        var alarms = template.ResourcesOfType("AWS::CloudWatch::Alarm")
            .Where(a => ValueOf(Child(a.Properties, "MetricName")) == metric
                && ((YamlSequenceNode)Child(a.Properties, "Dimensions")!).Any(d => ValueOf(Child(d, "Value"))?.Split('.')[0] == queue))
            .ToList();
        var (_, alarm) = Assert.Single(alarms);
        Assert.Equal("AWS/SQS", ValueOf(Child(alarm, "Namespace")));
        Assert.Equal(threshold, ValueOf(Child(alarm, "Threshold")));
        Assert.Equal("GreaterThanThreshold", ValueOf(Child(alarm, "ComparisonOperator")));
        Assert.Contains("AlarmTopicArn", Child(alarm, "AlarmActions")!.ToString(), StringComparison.Ordinal);
        Assert.True(template.Resources.ContainsKey(queue), $"{queue} is no resource");
    }

    [Fact]
    public void OpenApiExport_EveryPlaceholder_IsFilledByTheTemplate()
    {
        // AWS::Include inserts the export as it is: a "${X}" string stays literal unless it is an API
        // Gateway stage variable ("${stageVariables.X}", set on the Api) or inside an Fn::Sub.
        var (_, api) = Assert.Single(template.ResourcesOfType("AWS::Serverless::Api"));
        var stageVariables = ((YamlMappingNode?)Child(api, "Variables"))?.Children.Keys.Select(k => ValueOf(k)!).ToHashSet() ?? [];
        var location = ValueOf(Child(Child(Child(Child(api, "DefinitionBody"), "Fn::Transform"), "Parameters"), "Location"))!;
        var export = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.StepFunctions, location)))!;

        Assert.Empty(UnfilledPlaceholders(export, insideSub: false, stageVariables).Distinct());
    }

    private IEnumerable<string> UnfilledPlaceholders(System.Text.Json.Nodes.JsonNode? node, bool insideSub, IReadOnlySet<string> stageVariables)
    {
        switch (node)
        {
            case System.Text.Json.Nodes.JsonObject obj:
                return obj.SelectMany(p => UnfilledPlaceholders(p.Value, insideSub || p.Key == "Fn::Sub", stageVariables));
            case System.Text.Json.Nodes.JsonArray array:
                return array.SelectMany(item => UnfilledPlaceholders(item, insideSub, stageVariables));
            case System.Text.Json.Nodes.JsonValue value when value.TryGetValue<string>(out var text):
                return Regex.Matches(text, @"\$\{(?<name>[A-Za-z0-9_.:]+)\}")
                    .Select(m => m.Groups["name"].Value)
                    .Where(name => name.StartsWith("stageVariables.", StringComparison.Ordinal)
                        ? !stageVariables.Contains(name["stageVariables.".Length..])
                        : !insideSub || !(template.Parameters.Contains(name) || template.Resources.ContainsKey(name.Split('.')[0]) || name.StartsWith("AWS::", StringComparison.Ordinal)))
                    .Select(name => $"${{{name}}}");
            default:
                return [];
        }
    }

    private List<string> HandlerProblems(Func<string, bool> which)
    {
        var problems = new List<string>();
        foreach (var (name, properties) in template.ResourcesOfType("AWS::Serverless::Function"))
        {
            var handler = ValueOf(Child(properties, "Handler")) ?? "";
            if (!which(handler))
            {
                continue;
            }

            var codeUri = ValueOf(Child(properties, "CodeUri")) ?? "";
            var problem = HandlerProblem(handler, Path.GetFullPath(Path.Combine(RepositoryPaths.StepFunctions, codeUri)));
            if (problem is not null)
            {
                problems.Add($"{name} ({handler}): {problem}");
            }
        }

        return problems;
    }

    /// <summary>
    /// What Lambda's managed .NET runtime does with a handler string: load the assembly by name, the
    /// type by full name, then the method by name (an overloaded name is an init error), and create
    /// the type with its parameterless constructor.
    /// </summary>
    private static string? HandlerProblem(string handler, string codeDirectory)
    {
        var parts = handler.Split("::");
        if (parts.Length != 3)
        {
            return "not Assembly::Namespace.Type::Method";
        }

        var project = Directory.Exists(codeDirectory) ? Directory.GetFiles(codeDirectory, "*.csproj").SingleOrDefault() : null;
        if (project is null)
        {
            return $"no single project in CodeUri {codeDirectory}";
        }

        var assemblyName = AssemblyNameOf(project);
        if (assemblyName != parts[0])
        {
            return $"CodeUri builds assembly {assemblyName}, not {parts[0]}";
        }

        Assembly assembly;
        try
        {
            assembly = Assembly.Load(parts[0]);
        }
        catch (FileNotFoundException)
        {
            return $"assembly {parts[0]} not found";
        }

        var type = assembly.GetType(parts[1]);
        if (type is null)
        {
            return $"type {parts[1]} not in {parts[0]}";
        }

        MethodInfo? method;
        try
        {
            method = type.GetMethod(parts[2], BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static);
        }
        catch (AmbiguousMatchException)
        {
            return $"method {parts[2]} is overloaded: the Lambda runtime refuses overloaded handlers";
        }

        if (method is null)
        {
            return $"method {parts[2]} not on {parts[1]}";
        }

        if (!method.IsStatic && type.GetConstructor(Type.EmptyTypes) is null)
        {
            return $"{parts[1]} has no public parameterless constructor";
        }

        var parameters = method.GetParameters();
        if (parameters.Length != 1 || parameters[0].ParameterType != typeof(Stream) || method.ReturnType != typeof(Task<Stream>))
        {
            return $"{method} is not Task<Stream> {parts[2]}(Stream): without a Lambda serializer only streams go in and out";
        }

        return null;
    }

    private static string AssemblyNameOf(string project)
    {
        var match = Regex.Match(File.ReadAllText(project), "<AssemblyName>(?<name>[^<]+)</AssemblyName>");
        return match.Success ? match.Groups["name"].Value : Path.GetFileNameWithoutExtension(project);
    }
}
