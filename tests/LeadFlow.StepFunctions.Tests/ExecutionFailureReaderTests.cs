using LeadFlow.Steps;

namespace LeadFlow.StepFunctions.Tests;

/// <summary>The error step reads the caught error whichever way it arrives: from AWS or from the local interpreter.</summary>
public sealed class ExecutionFailureReaderTests
{
    [Theory]
    [InlineData("""{"errorType":"CrmRejected","errorMessage":"CRM backend answered 422","stackTrace":[]}""", "CRM backend answered 422")]
    [InlineData("CrmRejected: CRM backend answered 422", "CRM backend answered 422")]
    [InlineData("Task timed out", "Task timed out")]
    [InlineData(null, "CrmRejected")]
    public void Reason_IsTheErrorMessage_WhateverTheCauseFormat(string? cause, string reason) =>
        Assert.Equal(reason, ExecutionFailureReader.ReasonFrom(LeadErrorTypes.CrmRejected, cause));
}
