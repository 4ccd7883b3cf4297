using System.Net;
using System.Net.Sockets;

namespace LeadFlow.EmbeddedTemporal.Tests;

/// <summary>
/// Forwards TCP connections to the server. Killing it cuts every connection at once, which is how a test
/// makes a worker vanish like a crashed process: it never gets to call ShutdownWorker.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<TcpClient> _connections = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly Task _acceptLoop;

    public TcpProxy(string target)
    {
        var separator = target.LastIndexOf(':');
        _targetHost = target[..separator];
        _targetPort = int.Parse(target[(separator + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        _listener.Start();
        _acceptLoop = AcceptAsync();
    }

    public string Address => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public void Kill()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        _stop.Cancel();
        _listener.Stop();
        lock (_connections)
        {
            foreach (var connection in _connections)
            {
                connection.Client.Close(0);
                connection.Dispose();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            await _acceptLoop;
        }
        catch (Exception error) when (error is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The accept loop ends by its listener being stopped.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
            var outbound = new TcpClient();
            await outbound.ConnectAsync(_targetHost, _targetPort, _stop.Token);
            lock (_connections)
            {
                _connections.Add(inbound);
                _connections.Add(outbound);
            }

            _ = PumpAsync(inbound, outbound);
            _ = PumpAsync(outbound, inbound);
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream(), _stop.Token);
        }
        catch (Exception error) when (error is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // A cut connection is the point of this proxy.
        }
    }
}
