using System.Globalization;
using LeadFlow.Ingress.Lambda;
using LeadFlow.StepFunctions.Tests.Support;
using Microsoft.Extensions.Configuration;
using YamlDotNet.RepresentationModel;
using static LeadFlow.StepFunctions.Tests.Support.CloudFormationTemplate;

namespace LeadFlow.StepFunctions.Tests;

/// <summary>
/// The TemporalLambda target is rule -> queue -> ingress Lambda (event source mapping with ReportBatchItemFailures), and
/// the queue's redrive policy with the handler's backoff keeps a lead through a Temporal outage of at least a day.
/// </summary>
public sealed class LambdaQueueTemplateTests
{
    private readonly CloudFormationTemplate template = Load(RepositoryPaths.Template);

    private YamlNode Function => Child(template.Resources["LeadEventFunction"], "Properties")!;

    private YamlNode Queue => Child(template.Resources["LeadLambdaQueue"], "Properties")!;

    [Fact]
    public void TemporalLambda_RuleTargetsTheQueue_AndTheQueueTriggersTheIngressLambdaWithBatchItemFailures()
    {
        var rule = Child(template.Resources["LeadLambdaRule"], "Properties");
        Assert.Equal("OnTemporalLambda", ValueOf(Items(Child(rule, "State"))[0]));
        var target = Assert.Single(Items(Child(rule, "Targets")));
        Assert.Equal("LeadLambdaQueue.Arn", ValueOf(Child(target, "Arn")));
        Assert.Equal("LeadIntakeDeadLetterQueue.Arn", ValueOf(Child(Child(target, "DeadLetterConfig"), "Arn")));

        var mapping = Child(Child(Child(Function, "Events"), "LeadQueued"), "Properties");
        Assert.Equal("SQS", ValueOf(Child(Child(Child(Function, "Events"), "LeadQueued"), "Type")));
        Assert.Equal("LeadLambdaQueue.Arn", ValueOf(Child(mapping, "Queue")));
        Assert.Equal("OnTemporalLambda", ValueOf(Items(Child(mapping, "Enabled"))[0]));
        Assert.Contains("ReportBatchItemFailures", Items(Child(mapping, "FunctionResponseTypes")).Select(ValueOf));

        // The direct invocation (async retries) is left to Step Functions only.
        var direct = Child(Child(Child(Function, "Events"), "LeadSubmitted"), "Properties");
        Assert.Equal("OnStepFunctions", ValueOf(Items(Child(direct, "State"))[0]));
    }

    [Fact]
    public void LambdaQueue_DeadLettersAfterADayOfOutage_AndPoisonGoesToThePoisonQueue()
    {
        var redrive = Child(Queue, "RedrivePolicy");
        Assert.Equal("LeadIntakeDeadLetterQueue.Arn", ValueOf(Child(redrive, "deadLetterTargetArn")));
        var maxReceiveCount = int.Parse(ValueOf(Child(redrive, "maxReceiveCount"))!, CultureInfo.InvariantCulture);
        var environment = Child(Child(Function, "Environment"), "Variables");
        var options = QueueBatchOptions.Bind(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ingress:Queue:RetryBaseDelaySeconds"] = ValueOf(Child(environment, "Ingress__Queue__RetryBaseDelaySeconds")),
            ["Ingress:Queue:RetryMaxDelaySeconds"] = ValueOf(Child(environment, "Ingress__Queue__RetryMaxDelaySeconds")),
        }).Build());

        // The figure the README's operating section promises.
        Assert.True(options.OutageBudget(maxReceiveCount) >= TimeSpan.FromHours(24), $"outage budget {options.OutageBudget(maxReceiveCount)}");
        Assert.True(int.Parse(ValueOf(Child(Queue, "MessageRetentionPeriod"))!, CultureInfo.InvariantCulture) > options.OutageBudget(maxReceiveCount).TotalSeconds);
        // AWS's advice for event source mappings: at least six times the function's timeout.
        Assert.True(int.Parse(ValueOf(Child(Queue, "VisibilityTimeout"))!, CultureInfo.InvariantCulture) >= 6 * int.Parse(ValueOf(Child(Function, "Timeout"))!, CultureInfo.InvariantCulture));
        Assert.Equal("LeadIntakePoisonQueue", ValueOf(Child(environment, "Ingress__Queue__PoisonQueueUrl")));

        var statements = Items(Child(Function, "Policies")).SelectMany(p => Items(Child(p, "Statement"))).ToList();
        Assert.Contains(statements, s => ValueOf(Child(s, "Action")) == "sqs:ChangeMessageVisibility" && ValueOf(Child(s, "Resource")) == "LeadLambdaQueue.Arn");
        Assert.Contains(statements, s => ValueOf(Child(s, "Action")) == "sqs:SendMessage" && ValueOf(Child(s, "Resource")) == "LeadIntakePoisonQueue.Arn");
    }
}
