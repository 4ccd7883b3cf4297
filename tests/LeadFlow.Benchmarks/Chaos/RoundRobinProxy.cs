using System.Net;
using System.Net.Sockets;

namespace LeadFlow.Benchmarks.Chaos;

/// <summary>
/// The load balancer in front of the CRM backend instances: a TCP proxy on a loopback port that hands each new
/// connection to the next backend in turn, and to the following one when that refuses the connection (a killed
/// instance). A connection stays with its backend until either side closes it, as with a layer-4 balancer: a backend
/// that is frozen (SIGSTOP) still accepts, so its callers meet timeouts, not refusals.
/// </summary>
public sealed class RoundRobinProxy : IAsyncDisposable
{
    private readonly IReadOnlyList<IPEndPoint> _targets;
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _next;

    /// <param name="targetPorts">Loopback ports of the backends.</param>
    public RoundRobinProxy(IReadOnlyList<int> targetPorts)
    {
        _targets = targetPorts.Select(port => new IPEndPoint(IPAddress.Loopback, port)).ToList();
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start(512);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    /// <summary>The port callers connect to.</summary>
    public int Port { get; }

    /// <summary>Connections handed to each backend, by its index.</summary>
    public long[] Connections { get; } = new long[8];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Ends by the listener being stopped.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = Task.Run(() => ForwardAsync(client));
        }
    }

    private async Task ForwardAsync(TcpClient client)
    {
        using (client)
        {
            var first = Interlocked.Increment(ref _next);
            for (var attempt = 0; attempt < _targets.Count; attempt++)
            {
                var index = (int)((uint)(first + attempt) % (uint)_targets.Count);
                using var backend = new TcpClient();
                try
                {
                    using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                    connectTimeout.CancelAfter(TimeSpan.FromSeconds(2));
                    await backend.ConnectAsync(_targets[index], connectTimeout.Token);
                }
                catch (Exception e) when (e is SocketException or OperationCanceledException && !_stop.IsCancellationRequested)
                {
                    continue; // That instance is down: the next one.
                }

                Interlocked.Increment(ref Connections[index]);
                await PipeAsync(client, backend);
                return;
            }

            // Every backend refused: the caller sees a reset, as behind a balancer with no healthy target.
            client.Client.Close(0);
        }
    }

    private async Task PipeAsync(TcpClient client, TcpClient backend)
    {
        using var cut = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var fromClient = CopyAsync(client.GetStream(), backend.GetStream(), cut.Token);
        var fromBackend = CopyAsync(backend.GetStream(), client.GetStream(), cut.Token);
        await Task.WhenAny(fromClient, fromBackend);
        await cut.CancelAsync();
        // One side ended (closed or reset): end the other at once, as a crashed peer would leave it.
        client.Client.Close(0);
        backend.Client.Close(0);
        await Task.WhenAll(fromClient, fromBackend);
    }

    private static async Task CopyAsync(NetworkStream from, NetworkStream to, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // A reset, a kill or the other direction's end: the pipe is over.
        }
    }
}
