using LeadFlow.TestSupport.Publishing;

namespace LeadFlow.Deployables.Tests.Support;

/// <summary>
/// Publishes one deployable once for its test class, into a temporary folder removed afterwards. The project is built
/// by this test project's build (a project reference), in the same configuration, so the publish builds nothing.
/// </summary>
/// <param name="project">The project folder, repository-relative.</param>
public abstract class PublishedDeployableFixture(string project) : IAsyncLifetime
{
    /// <summary>The configuration these tests were built in (<c>bin/&lt;configuration&gt;/net10.0</c>): Release under ./test.sh.</summary>
    private static readonly string Configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    private string? _folder;
    private PublishedDeployable? _deployable;

    /// <summary>The published deployable.</summary>
    public PublishedDeployable Deployable => _deployable ?? throw new InvalidOperationException($"{project} is not published yet");

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        _folder = Directory.CreateTempSubdirectory("leadflow-publish-").FullName;
        _deployable = PublishedDeployable.Read(await DotnetPublish.RunAsync(project, _folder, configuration: Configuration, noBuild: true));
    }

    /// <inheritdoc />
    public Task DisposeAsync()
    {
        if (_folder is not null && Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }

        return Task.CompletedTask;
    }
}

/// <summary>The five step Lambdas' bundle.</summary>
public sealed class StepLambdasPublish() : PublishedDeployableFixture("StepFunctions/LeadFlow.StepFunctions.Lambdas");

/// <summary>The ingress Lambda's bundle.</summary>
public sealed class IngressLambdaPublish() : PublishedDeployableFixture("Ingress/LeadFlow.Ingress.Lambda");

/// <summary>The SQS poller worker service.</summary>
public sealed class SqsPollerPublish() : PublishedDeployableFixture("Ingress/LeadFlow.Ingress.Sqs");

/// <summary>The on-prem Temporal worker.</summary>
public sealed class WorkerPublish() : PublishedDeployableFixture("Worker");
