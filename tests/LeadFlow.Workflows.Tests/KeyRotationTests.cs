using System.Text.Json;
using LeadFlow.Temporal;
using LeadFlow.Temporal.Encryption;
using LeadFlow.TestSupport;
using LeadFlow.Workflows.Tests.Support;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;

namespace LeadFlow.Workflows.Tests;

/// <summary>
/// Rotating the payload encryption key under running leads, with the production worker restarted between keys: a lead
/// started under key A and held at a step finishes once the worker runs with key B active and A kept; with A removed,
/// the next workflow task of a lead whose history holds A-encrypted payloads fails with a message naming A and the
/// setting to fix; with A back, that lead completes.
/// </summary>
public sealed class KeyRotationTests(LeadFlowFixture flow) : IClassFixture<LeadFlowFixture>
{
    private const string PartnerPath = "/create_partner";
    private const string BenefitPath = "/create_benefit";
    private static readonly (string Id, string Base64) KeyA = ("rotation-a", Convert.ToBase64String(EncryptionKeyRing.NewKey()));
    private static readonly (string Id, string Base64) KeyB = ("rotation-b", Convert.ToBase64String(EncryptionKeyRing.NewKey()));

    [Fact]
    public async Task LeadStartedUnderKeyA_HeldWhileTheWorkerRestartsWithKeyB_Completes()
    {
        await flow.StopWorkerAsync();
        await flow.StartWorkerAsync(encryption: TestEncryptionKeys.SettingsFor(KeyA.Id, KeyA));
        var clientA = await ClientAsync(TestEncryptionKeys.SettingsFor(KeyA.Id, KeyA));
        flow.Backend.Faults.FailAlways(PartnerPath, 503);
        try
        {
            var handle = await StartAsync(clientA);
            await WaitForAsync(() => flow.Backend.Faults.InjectedCount(PartnerPath) > 0, "the lead to reach CreatePartner under key A");

            await flow.StopWorkerAsync();
            await flow.StartWorkerAsync(encryption: TestEncryptionKeys.SettingsFor(KeyB.Id, KeyA, KeyB));
            flow.Backend.Faults.Clear();

            // Read with the rotated ring, as every client is after the rotation: the result is B's.
            var clientAB = await ClientAsync(TestEncryptionKeys.SettingsFor(KeyB.Id, KeyA, KeyB));
            var result = await clientAB.GetWorkflowHandle<LeadOnboardingWorkflow, LeadOnboardingResult>(handle.Id, runId: handle.RunId)
                .GetResultAsync().WaitAsync(TimeSpan.FromMinutes(2));
            Assert.True(result.BenefitId > 0);
            var keyIds = HistoryPayloads.All((await handle.FetchHistoryAsync()).Events).Select(AesGcmPayloadCodec.KeyIdOf).ToHashSet();
            Assert.Equal(new HashSet<string?> { KeyA.Id, KeyB.Id }, keyIds);
        }
        finally
        {
            flow.Backend.Faults.Clear();
            await flow.StopWorkerAsync();
            await flow.StartWorkerAsync();
        }
    }

    [Fact]
    public async Task KeyARemoved_NextWorkflowTaskFailsNamingKeyA_AndTheLeadCompletesOnceKeyAIsBack()
    {
        await flow.StopWorkerAsync();
        await flow.StartWorkerAsync(encryption: TestEncryptionKeys.SettingsFor(KeyA.Id, KeyA));
        var clientA = await ClientAsync(TestEncryptionKeys.SettingsFor(KeyA.Id, KeyA));
        var clientB = await ClientAsync(TestEncryptionKeys.SettingsFor(KeyB.Id, KeyB));
        flow.Backend.Faults.FailAlways(PartnerPath, 503);
        try
        {
            // Under A up to CreatePartner; then B active (A kept) up to CreateBenefit, whose input is encrypted with B.
            var handle = await StartAsync(clientA);
            await WaitForAsync(() => flow.Backend.Faults.InjectedCount(PartnerPath) > 0, "the lead to reach CreatePartner under key A");
            await flow.StopWorkerAsync();
            await flow.StartWorkerAsync(encryption: TestEncryptionKeys.SettingsFor(KeyB.Id, KeyA, KeyB));
            flow.Backend.Faults.Clear();
            flow.Backend.Faults.FailAlways(BenefitPath, 503);
            await WaitForAsync(() => flow.Backend.Faults.InjectedCount(BenefitPath) > 0, "the lead to reach CreateBenefit under key B");

            // A removed: the held step still runs (its input is B's), but the workflow task after it replays A's payloads.
            await flow.StopWorkerAsync();
            await flow.StartWorkerAsync(encryption: TestEncryptionKeys.SettingsFor(KeyB.Id, KeyB));
            var benefitAttempts = flow.Backend.Faults.InjectedCount(BenefitPath);
            await WaitForAsync(() => flow.Backend.Faults.InjectedCount(BenefitPath) > benefitAttempts, "CreateBenefit to run on the worker without key A");
            flow.Backend.Faults.Clear();

            var failure = await WaitForWorkflowTaskFailureAsync(clientB, handle);
            Assert.Contains($"key \"{KeyA.Id}\"", failure, StringComparison.Ordinal);
            Assert.Contains($"LeadFlow__Encryption__Keys__{KeyA.Id}", failure, StringComparison.Ordinal);
            Assert.Equal(WorkflowExecutionStatus.Running, (await handle.DescribeAsync()).Status);

            await flow.StopWorkerAsync();
            await flow.StartWorkerAsync(encryption: TestEncryptionKeys.SettingsFor(KeyB.Id, KeyA, KeyB));
            var clientAB = await ClientAsync(TestEncryptionKeys.SettingsFor(KeyB.Id, KeyA, KeyB));
            var result = await clientAB.GetWorkflowHandle<LeadOnboardingWorkflow, LeadOnboardingResult>(handle.Id, runId: handle.RunId)
                .GetResultAsync().WaitAsync(TimeSpan.FromMinutes(2));
            Assert.True(result.BenefitId > 0);
        }
        finally
        {
            flow.Backend.Faults.Clear();
            await flow.StopWorkerAsync();
            await flow.StartWorkerAsync();
        }
    }

    private async Task<TemporalClient> ClientAsync(IEnumerable<KeyValuePair<string, string?>> encryption)
    {
        var options = new PayloadEncryptionOptions();
        foreach (var (key, value) in encryption)
        {
            if (key.EndsWith(":ActiveKeyId", StringComparison.Ordinal))
            {
                options.ActiveKeyId = value;
            }
            else
            {
                options.Keys[key.Split(':')[^1]] = value!;
            }
        }

        return await TemporalClient.ConnectAsync(await TemporalConnectOptionsFactory.CreateAsync(
            new TemporalOptions { Address = flow.Temporal.Address, Namespace = flow.Temporal.Namespace, Encryption = options }));
    }

    private async Task<WorkflowHandle<LeadOnboardingWorkflow, LeadOnboardingResult>> StartAsync(TemporalClient client)
    {
        var eventJson = TestLeads.Event(TestLeads.Detail());
        var handle = await client.StartWorkflowAsync(
            "LeadOnboardingWorkflow",
            [JsonDocument.Parse(eventJson).RootElement.Clone(), LeadFlowFixture.FastRetries],
            new WorkflowOptions(LeadFlowFixture.LeadIdOf(eventJson), flow.TaskQueue) { ExecutionTimeout = TimeSpan.FromMinutes(10) });
        return client.GetWorkflowHandle<LeadOnboardingWorkflow, LeadOnboardingResult>(handle.Id, runId: handle.ResultRunId);
    }

    /// <summary>The decoded message of the run's first recorded workflow task failure, read with key B (the failure is encoded with the worker's active key).</summary>
    private static async Task<string> WaitForWorkflowTaskFailureAsync(TemporalClient reader, WorkflowHandle handle)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (true)
        {
            var history = await reader.GetWorkflowHandle(handle.Id, runId: handle.RunId).FetchHistoryAsync();
            if (history.Events.LastOrDefault(e => e.EventType == EventType.WorkflowTaskFailed) is { } failed)
            {
                var failure = failed.WorkflowTaskFailedEventAttributes.Failure;
                await EncodedFailures.DecodeInPlaceAsync(reader.Options.DataConverter, failure);
                return failure.Message;
            }

            Assert.True(DateTime.UtcNow < deadline, "no workflow task failed within 2 minutes");
            await Task.Delay(200);
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(100);
        }
    }
}
