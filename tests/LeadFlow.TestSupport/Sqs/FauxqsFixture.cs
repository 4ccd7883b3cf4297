using Xunit;

namespace LeadFlow.TestSupport.Sqs;

/// <summary>One fauxqs emulator per test class (<c>IClassFixture&lt;FauxqsFixture&gt;</c>).</summary>
public sealed class FauxqsFixture : IAsyncLifetime
{
    private FauxqsServer? _server;

    public FauxqsServer Server => _server ?? throw new InvalidOperationException("The fixture is not initialised.");

    public async Task InitializeAsync() => _server = await FauxqsServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
