using LeadFlow.Leads;

namespace LeadFlow.Leads.Tests;

public class PersonalDataTests
{
    [Theory]
    [InlineData("12345678-5", "12******-5")]
    [InlineData("6-K", "*-K")]
    [InlineData("", "")]
    public void Rut_KeepsOnlyTheFirstDigitsAndCheckDigit(string rut, string masked) => Assert.Equal(masked, PersonalData.MaskRut(rut));

    [Fact]
    public void Phone_KeepsTheLastTwoDigits() => Assert.Equal("***54", PersonalData.MaskPhone("+56 9 5454 5454"));

    [Fact]
    public void Mail_KeepsTheFirstLetterAndDomain() => Assert.Equal("a***@example.com", PersonalData.MaskMail("acooper@example.com"));

    [Theory]
    [InlineData("CRM refused acooper@example.com for 12.345.678-5", "CRM refused a***@example.com for 12******-5")]
    [InlineData("client 12345678-5 exists", "client 12******-5 exists")]
    [InlineData("call +56 9 5454 5454 now", "call ***54 now")]
    [InlineData("phone 56954545454", "phone ***54")]
    public void Redact_MasksWhatLooksLikePersonalData(string text, string redacted) => Assert.Equal(redacted, PersonalData.Redact(text));

    [Theory]
    [InlineData("CRM backend answered 503 to POST /create_partner: The CRM database is temporarily unavailable")]
    [InlineData("lead-7f9c2ad1-1111-2222-3333-444455556666 at 2026-01-01T12:00:00Z, attempt 12, row 4711")]
    public void Redact_LeavesOrdinaryTextAlone(string text) => Assert.Equal(text, PersonalData.Redact(text));
}
