using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LeadFlow.Ingress.Events;
using LeadFlow.Ingress.Starting;
using LeadFlow.StepFunctions.Tests.Support;
using LeadFlow.Steps;
using LeadFlow.Steps.Crm;
using LeadFlow.Temporal;
using LeadFlow.Temporal.Encryption;
using YamlDotNet.RepresentationModel;
using static LeadFlow.StepFunctions.Tests.Support.CloudFormationTemplate;

namespace LeadFlow.StepFunctions.Tests;

/// <summary>
/// What AWS would refuse or what would fail open, checked statically on <c>template.yaml</c> and the API Gateway export
/// (nothing here can be deployed). Each check names the AWS documentation page it is written from.
/// </summary>
public sealed class DeploymentChecksTests
{
    private static readonly string[] CrmCallingSteps =
        [LeadOnboardingSteps.CreateClient, LeadOnboardingSteps.CreatePartner, LeadOnboardingSteps.CreateBenefit, LeadOnboardingSteps.NotifyBranch, LeadOnboardingSteps.RecordFailure];

    private readonly CloudFormationTemplate template = Load(RepositoryPaths.Template);

    private static JsonNode Export => JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "Crm.Backend", "openapi", "crm-backend.apigateway.json")))!;

    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-import-api.html:
    // "API Gateway supports OpenAPI v2.0 and OpenAPI v3.0 definition files" (3.1 is refused at import).
    [Fact]
    public void ApiGatewayExport_IsOpenApi30_WhichApiGatewayImports()
    {
        Assert.Matches(@"^3\.0\.\d+$", Export["openapi"]!.GetValue<string>());
    }

    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html: a method that requires
    // an API key answers 403 unless the key is in a usage plan associated with the API's stage.
    [Fact]
    public void EveryKeyedMethod_HasAUsagePlanOnTheStage_WithKeysFromTheSecretStore()
    {
        var keyed = Operations(Export).Where(o => o.Operation["security"] is JsonArray { Count: > 0 }).ToList();
        Assert.NotEmpty(keyed);
        Assert.Equal("HEADER", Export["x-amazon-apigateway-api-key-source"]!.GetValue<string>());

        var (planName, plan) = Assert.Single(template.ResourcesOfType("AWS::ApiGateway::UsagePlan"));
        var stage = Assert.Single(((YamlSequenceNode)Child(plan, "ApiStages")!).Children);
        Assert.Equal("CrmBackendApi", ValueOf(Child(stage, "ApiId")));
        Assert.Equal("CrmBackendApi.Stage", ValueOf(Child(stage, "Stage")));

        var keys = template.ResourcesOfType("AWS::ApiGateway::UsagePlanKey").Select(k => (Plan: ValueOf(Child(k.Properties, "UsagePlanId")), Key: ValueOf(Child(k.Properties, "KeyId")))).ToList();
        Assert.Equal(2, keys.Count);
        Assert.All(keys, k => Assert.Equal(planName, k.Plan));
        foreach (var (_, key) in keys)
        {
            // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references-secretsmanager.html
            var value = ValueOf(Child(Child(template.Resources[key!], "Properties"), "Value"))!;
            Assert.Matches(@"^\{\{resolve:secretsmanager:\$\{Crm(Write|Read)KeySecretArn\}\}\}$", value);
        }
    }

    // https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-private-integration.html and
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-integration.html:
    // a private integration has connectionType VPC_LINK and the VPC link's id as connectionId (a stage variable may name it).
    [Fact]
    public void EveryIntegration_ReachesTheOnPremiseBackendThroughTheVpcLink()
    {
        Assert.All(Operations(Export), o =>
        {
            var integration = o.Operation["x-amazon-apigateway-integration"]!;
            Assert.Equal("VPC_LINK", integration["connectionType"]?.GetValue<string>());
            Assert.Equal("${stageVariables.CrmVpcLinkId}", integration["connectionId"]?.GetValue<string>());
        });

        var (_, api) = Assert.Single(template.ResourcesOfType("AWS::Serverless::Api"));
        var link = Child(Child(api, "Variables"), "CrmVpcLinkId")!;
        Assert.Equal("!Ref", Tag(link));
        Assert.Equal("AWS::ApiGateway::VpcLink", ValueOf(Child(template.Resources[ValueOf(link)!], "Type")));
        Assert.Equal("CrmBackendNlbArn", ValueOf(((YamlSequenceNode)Child(Child(template.Resources[ValueOf(link)!], "Properties"), "TargetArns")!).Children[0]));
    }

    // https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html: a Standard workflow's execution
    // name is unique for 90 days and StartExecution is idempotent on it; an EventBridge rule cannot set it, so the rule
    // targets the ingress Lambda, which names each execution after the event id.
    [Fact]
    public void StepFunctionsExecutions_AreStartedByTheIngressLambda_NamedAfterTheEvent()
    {
        // A plain CloudFormation state machine (for its EncryptionConfiguration): no rule targets it.
        var (machineName, machine) = Assert.Single(template.ResourcesOfType("AWS::StepFunctions::StateMachine"));
        Assert.Null(Child(machine, "Events"));
        Assert.DoesNotContain(template.ResourcesOfType("AWS::Events::Rule"), r => Child(r.Properties, "Targets") is YamlSequenceNode targets && targets.Children.Any(t => ValueOf(Child(t, "Arn")) == machineName));
        Assert.Equal("STANDARD", ValueOf(Child(machine, "StateMachineType")));

        var ingress = Child(template.Resources["LeadEventFunction"], "Properties")!;
        var rule = Child(Child(Child(ingress, "Events"), "LeadSubmitted"), "Properties")!;
        var state = (YamlSequenceNode)Child(rule, "State")!;
        // The direct invocation is Step Functions' alone; TemporalLambda goes through the Lambda's queue (LambdaQueueTemplateTests).
        Assert.Equal("OnStepFunctions", ValueOf(state.Children[0]));

        var variables = (YamlMappingNode)Child(Child(ingress, "Environment"), "Variables")!;
        var target = (YamlSequenceNode)Child(variables, "Ingress__Target")!;
        Assert.Equal(["OnStepFunctions", nameof(LeadStarterTarget.StepFunctions), nameof(LeadStarterTarget.Temporal)], target.Children.Select(c => ValueOf(c)!));
        Assert.Equal("LeadOnboardingStateMachine", ValueOf(Child(variables, "Ingress__StepFunctions__StateMachineArn")));
        Assert.Contains(Statements(ingress), s => Actions(s).Contains("states:StartExecution") && ValueOf(Child(s, "Resource")) == "LeadOnboardingStateMachine");

        // The execution's input is where the definition reads the envelope.
        var input = JsonNode.Parse(StepFunctionsLeadStarter.InputOf(EventEnvelopeReader.Read(System.Text.Encoding.UTF8.GetBytes("""{"id":"e-1","source":"crm.leads","detail-type":"LeadSubmitted","detail":{}}"""))))!;
        Assert.Equal("$.event", LeadOnboardingStateMachine.EventPath);
        Assert.Equal("e-1", input["event"]!["id"]!.GetValue<string>());
    }

    // https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html (grant least privilege). Resource "*" only where
    // the action takes no resource ARN: log deliveries (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html)
    // and X-Ray (https://docs.aws.amazon.com/step-functions/latest/dg/xray-iam.html).
    [Fact]
    public void NoPolicy_GrantsAWildcardAction_OrAFullAccessManagedPolicy_AndStarResourcesOnlyWhereAwsRequiresThem()
    {
        string[] starAllowed =
        [
            "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery", "logs:ListLogDeliveries",
            "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
            "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets",
        ];
        var problems = new List<string>();
        foreach (var (name, resource) in template.Resources)
        {
            var properties = Child(resource, "Properties");
            if (properties is null)
            {
                continue;
            }

            foreach (var policy in Items(Child(properties, "Policies")).SelectMany(Descendants).OfType<YamlScalarNode>())
            {
                if (policy.Value is { } managed && managed.EndsWith("FullAccess", StringComparison.Ordinal))
                {
                    problems.Add($"{name}: managed policy {managed}");
                }
            }

            foreach (var statement in Statements(properties))
            {
                var actions = Actions(statement);
                problems.AddRange(actions.Where(a => a.Contains('*', StringComparison.Ordinal)).Select(a => $"{name}: action {a}"));
                // A KMS key policy's Resource is always "*", meaning that key (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html).
                var keyPolicy = ValueOf(Child(resource, "Type")) == "AWS::KMS::Key";
                if (!keyPolicy && Items(Child(statement, "Resource")).Any(r => ValueOf(r) == "*"))
                {
                    problems.AddRange(actions.Where(a => !starAllowed.Contains(a)).Select(a => $"{name}: {a} on every resource"));
                }
            }
        }

        Assert.Empty(problems);
    }

    // https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html: environment variables are part of the
    // function's configuration (GetFunctionConfiguration shows them); secrets belong in Secrets Manager or Parameter Store.
    [Fact]
    public void NoSecret_IsAnEnvironmentVariable_OrAParameterValue()
    {
        var secretLike = new Regex("(ApiKey|Password|Secret|Token|PrivateKey|ClientKey)$", RegexOptions.IgnoreCase);
        var noEcho = template.Parameters.Where(p => ValueOf(Child(Child(Child(template.Root, "Parameters"), p), "NoEcho")) == "true").ToHashSet();
        var problems = new List<string>();
        foreach (var (name, function) in template.ResourcesOfType("AWS::Serverless::Function"))
        {
            if (Child(Child(function, "Environment"), "Variables") is not YamlMappingNode variables)
            {
                continue;
            }

            foreach (var (key, value) in variables.Children)
            {
                var variable = ValueOf(key)!;
                if (secretLike.IsMatch(variable) && !variable.EndsWith("SecretArn", StringComparison.Ordinal))
                {
                    problems.Add($"{name}: {variable}");
                }

                problems.AddRange(Descendants(value).Where(n => Tag(n) == "!Ref" && noEcho.Contains(ValueOf(n)!)).Select(n => $"{name}: {variable} = !Ref {ValueOf(n)} (NoEcho)"));
            }
        }

        Assert.Empty(problems);
        Assert.DoesNotContain("CrmApiKey", template.Parameters);
    }

    // https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html: reserved concurrency caps a function's
    // concurrent instances, so the on-premise CRM sees at most as many calls as the Temporal worker allows.
    [Fact]
    public void CrmCallingStepLambdas_HaveReservedConcurrency_FromADocumentedParameter()
    {
        var parameter = Child(Child(template.Root, "Parameters"), "StepLambdaReservedConcurrency")!;
        var perFunction = int.Parse(ValueOf(Child(parameter, "Default"))!, System.Globalization.CultureInfo.InvariantCulture);
        foreach (var step in CrmCallingSteps)
        {
            var properties = Child(template.Resources[$"{step}Function"], "Properties")!;
            var reserved = Child(properties, "ReservedConcurrentExecutions")!;
            Assert.Equal("!Ref", Tag(reserved));
            Assert.Equal("StepLambdaReservedConcurrency", ValueOf(reserved));
        }

        // The Temporal worker's Worker__MaxConcurrentActivities default: the CRM sees the same load from either target.
        const int workerMaxConcurrentActivities = 20;
        Assert.Equal(workerMaxConcurrentActivities, perFunction * CrmCallingSteps.Length);
        Assert.Contains("StepLambdaReservedConcurrency", File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md")), StringComparison.Ordinal);
    }

    // https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html: a function reaches private resources (Temporal on
    // premise) only when attached to the VPC's subnets; its Temporal credentials come from the secret store.
    [Fact]
    public void IngressLambda_CanJoinTheVpc_AndReadsTemporalCredentialsFromTheSecretStore()
    {
        var ingress = Child(template.Resources["LeadEventFunction"], "Properties")!;
        var vpc = (YamlSequenceNode)Child(ingress, "VpcConfig")!;
        Assert.Equal("IngressInVpc", ValueOf(vpc.Children[0]));
        Assert.Equal("IngressSubnetIds", ValueOf(Child(vpc.Children[1], "SubnetIds")));

        var variables = (YamlMappingNode)Child(Child(ingress, "Environment"), "Variables")!;
        foreach (var variable in new[] { "Temporal__ApiKeySecretArn", "Temporal__Tls__ClientCertSecretArn", "Temporal__Tls__ClientKeySecretArn" })
        {
            Assert.NotNull(Child(variables, variable));
        }

        // The step Lambdas read the CRM key the same way.
        foreach (var step in LeadOnboardingSteps.InOrder.Append(LeadOnboardingSteps.ErrorStep))
        {
            var stepVariables = (YamlMappingNode)Child(Child(Child(template.Resources[$"{step.Name}Function"], "Properties"), "Environment"), "Variables")!;
            Assert.Equal("CrmWriteKeySecretArn", ValueOf(Child(stepVariables, "Crm__ApiKeySecretArn")));
        }
    }

    // https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_iam-policies.html: a function reads a
    // secret with secretsmanager:GetSecretValue on that secret's ARN. The ingress Lambda's workflow starts are encrypted with
    // the payload key ring, read at init from the secret the PayloadKeyRingSecretArn parameter names (and from no other).
    [Fact]
    public void IngressLambda_ReadsThePayloadKeyRingFromItsSecret_AndMayReadOnlyTheSecretsItIsGiven()
    {
        var ingress = Child(template.Resources["LeadEventFunction"], "Properties")!;
        var variables = (YamlMappingNode)Child(Child(ingress, "Environment"), "Variables")!;
        var variable = $"{PayloadEncryptionOptions.Variable}{nameof(PayloadEncryptionOptions.KeyRing)}{LeadFlow.Aws.SecretSettings.Suffix}";
        var keyRing = (YamlSequenceNode)Child(variables, variable)!;
        Assert.Equal(["HasPayloadKeyRing", "PayloadKeyRingSecretArn", "AWS::NoValue"], keyRing.Children.Select(c => ValueOf(c)!));
        Assert.Contains("PayloadKeyRingSecretArn", template.Parameters);
        // The secrets statement exists whenever the key ring is given, even with no Temporal credential.
        var secretsCondition = (YamlSequenceNode)Child(Child(template.Root, "Conditions"), "HasTemporalSecrets")!;
        Assert.Contains("HasPayloadKeyRing", secretsCondition.Children.Select(c => ValueOf(c)));

        var reads = Assert.Single(Statements(ingress), s => Actions(s).Contains("secretsmanager:GetSecretValue"));
        Assert.Equal(["secretsmanager:GetSecretValue"], Actions(reads));
        var resources = Items(Child(reads, "Resource")).Select(r => ValueOf(((YamlSequenceNode)r).Children[1])!).ToList();
        Assert.Contains("PayloadKeyRingSecretArn", resources);
        Assert.All(resources, r => Assert.Matches("^(Temporal(ApiKey|ClientCert|ClientKey)|PayloadKeyRing)SecretArn$", r));
    }

    // https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html: an invocation is stopped at the function's
    // timeout. The ingress Lambda's calls (a start, then a describe) must fit in it, and a CRM call in its step's timeout.
    [Fact]
    public void Timeouts_FitInsideEachOther()
    {
        var ingressTimeout = int.Parse(ValueOf(Child(Child(template.Resources["LeadEventFunction"], "Properties"), "Timeout"))!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(2 * new TemporalOptions().RpcTimeoutSeconds < ingressTimeout, "Temporal__RpcTimeoutSeconds (start + describe) must fit the ingress Lambda's Timeout");

        var crmTimeout = TimeSpan.Parse(ValueOf(Child(Child(Child(template.Root, "Parameters"), "CrmTimeout"), "Default"))!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Empty(CrmTimeouts.Problems(crmTimeout));
    }

    /// <summary>Every inline IAM statement of a resource's Policies (SAM) or PolicyDocument, also inside <c>!If</c>.</summary>
    private static IEnumerable<YamlMappingNode> Statements(YamlNode properties) =>
        Descendants(properties).OfType<YamlMappingNode>().Where(m => Child(m, "Effect") is not null && Child(m, "Action") is not null);

    private static List<string> Actions(YamlNode statement) => Items(Child(statement, "Action")).Select(a => ValueOf(a)!).ToList();

    private static IEnumerable<(string Path, string Method, JsonObject Operation)> Operations(JsonNode export) =>
        export["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Where(m => m.Value is JsonObject).Select(m => (p.Key, m.Key, m.Value!.AsObject())));
}
