using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace LeadFlow.Ingress.Starting;

/// <summary>Which orchestrator an ingress host starts leads on.</summary>
public enum LeadStarterTarget
{
    /// <summary>The Temporal workflow <c>lead-&lt;event id&gt;</c> (settings <c>Temporal__*</c>).</summary>
    Temporal,

    /// <summary>The Step Functions state machine, one execution named after the event id (settings <c>Ingress__StepFunctions__*</c>).</summary>
    StepFunctions,
}

/// <summary>The starter's settings (section <c>Ingress</c>; the ingress Lambda reads them).</summary>
public sealed class LeadStarterOptions
{
    public const string Section = "Ingress";

    /// <summary><c>Ingress__Target</c>: <c>Temporal</c> (default) or <c>StepFunctions</c>.</summary>
    public LeadStarterTarget Target { get; set; } = LeadStarterTarget.Temporal;

    /// <summary>The Step Functions settings, used when <see cref="Target"/> is <c>StepFunctions</c>.</summary>
    public StepFunctionsStarterOptions StepFunctions { get; set; } = new();

    /// <summary>Binds the section and checks it; the message names the variable and the rule.</summary>
    /// <exception cref="OptionsValidationException">A setting is missing or wrong.</exception>
    public static LeadStarterOptions Bind(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        LeadStarterOptions options;
        try
        {
            options = configuration.GetSection(Section).Get<LeadStarterOptions>() ?? new LeadStarterOptions();
        }
        catch (InvalidOperationException e)
        {
            throw new OptionsValidationException(Section, typeof(LeadStarterOptions), [$"Ingress__Target must be Temporal or StepFunctions ({e.Message})"]);
        }

        options.StepFunctions.Region ??= configuration["AWS_REGION"];
        var problems = options.Target == LeadStarterTarget.StepFunctions ? options.StepFunctions.Problems() : [];
        return problems.Count == 0 ? options : throw new OptionsValidationException(Section, typeof(LeadStarterOptions), problems);
    }
}

/// <summary>Where the Step Functions starter starts executions (section <c>Ingress:StepFunctions</c>).</summary>
public sealed class StepFunctionsStarterOptions
{
    /// <summary><c>Ingress__StepFunctions__StateMachineArn</c>: the lead-onboarding state machine (a Standard workflow: names are unique for 90 days).</summary>
    public string? StateMachineArn { get; set; }

    /// <summary><c>Ingress__StepFunctions__Region</c>: the signing region; default <c>AWS_REGION</c> (set by Lambda).</summary>
    public string? Region { get; set; }

    /// <summary><c>Ingress__StepFunctions__ServiceUrl</c>: endpoint override (a VPC endpoint, a local fake); unset = <c>https://states.&lt;region&gt;.amazonaws.com/</c>.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>What is wrong, one sentence per problem naming the variable and the rule; empty when usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (StateMachineArn is not { } arn || !arn.StartsWith("arn:", StringComparison.Ordinal) || !arn.Contains(":states:", StringComparison.Ordinal) || !arn.Contains(":stateMachine:", StringComparison.Ordinal))
        {
            problems.Add("Ingress__StepFunctions__StateMachineArn must be the state machine's ARN (arn:aws:states:<region>:<account>:stateMachine:<name>) when Ingress__Target is StepFunctions");
        }

        if (string.IsNullOrWhiteSpace(Region))
        {
            problems.Add("Ingress__StepFunctions__Region (or AWS_REGION) must name the state machine's region when Ingress__Target is StepFunctions");
        }

        if (!string.IsNullOrWhiteSpace(ServiceUrl) && !Uri.TryCreate(ServiceUrl, UriKind.Absolute, out _))
        {
            problems.Add("Ingress__StepFunctions__ServiceUrl must be an absolute URL when set");
        }

        return problems;
    }

    /// <summary>The endpoint to call.</summary>
    public Uri Endpoint => string.IsNullOrWhiteSpace(ServiceUrl) ? Aws.StepFunctionsHttpClient.EndpointFor(Region ?? "") : new Uri(ServiceUrl);
}
