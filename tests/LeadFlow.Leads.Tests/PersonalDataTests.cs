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
}
