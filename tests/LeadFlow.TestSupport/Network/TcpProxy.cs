using System.Net;
using System.Net.Sockets;

namespace LeadFlow.TestSupport.Network;

/// <summary>
/// Forwards TCP connections from a loopback port to a target, to make the target vanish and come back on demand:
/// <see cref="Close"/> cuts every connection at once and refuses new ones (a crashed process, a server whose port
/// stops answering), <see cref="Open"/> accepts again on the same port, the target's state untouched. Used by the
/// tests and the chaos benchmark alike.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly List<TcpClient> _connections = [];
    private readonly CancellationTokenSource _disposed = new();
    private readonly Lock _gate = new();
    private readonly string _targetHost;
    private readonly int _targetPort;
    private TcpListener _listener;
    private CancellationTokenSource _open = new();
    private Task _acceptLoop;

    /// <param name="target"><c>host:port</c> to forward to.</param>
    /// <param name="port">The port to listen on; 0 for a free one.</param>
    public TcpProxy(string target, int port = 0)
    {
        ArgumentNullException.ThrowIfNull(target);
        var separator = target.LastIndexOf(':');
        _targetHost = target[..separator];
        _targetPort = int.Parse(target[(separator + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        _listener = Listen(port);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptAsync(_listener, _open.Token);
    }

    /// <summary>The loopback port connections arrive on (kept across <see cref="Close"/> and <see cref="Open"/>).</summary>
    public int Port { get; }

    /// <summary><c>127.0.0.1:&lt;port&gt;</c>.</summary>
    public string Address => $"127.0.0.1:{Port}";

    /// <summary>True between <see cref="Open"/> (or construction) and <see cref="Close"/>.</summary>
    public bool IsOpen { get; private set; } = true;

    /// <summary>Refuses new connections and cuts every open one (RST), as a crash or a network cut would.</summary>
    public void Close()
    {
        lock (_gate)
        {
            if (!IsOpen)
            {
                return;
            }

            IsOpen = false;
            _open.Cancel();
            _listener.Stop();
            foreach (var connection in _connections)
            {
                connection.Client.Close(0);
                connection.Dispose();
            }

            _connections.Clear();
        }
    }

    /// <summary>Accepts connections again, on the same port.</summary>
    public void Open()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
            if (IsOpen)
            {
                return;
            }

            _open.Dispose();
            _open = new CancellationTokenSource();
            _listener = Listen(Port);
            _acceptLoop = AcceptAsync(_listener, _open.Token);
            IsOpen = true;
        }
    }

    /// <summary>The same as <see cref="Close"/>, for good: a worker that vanishes like a crashed process.</summary>
    public void Kill() => Close();

    public async ValueTask DisposeAsync()
    {
        Close();
        await _disposed.CancelAsync();
        try
        {
            await _acceptLoop;
        }
        catch (Exception error) when (error is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The accept loop ends by its listener being stopped.
        }

        _open.Dispose();
        _disposed.Dispose();
    }

    private static TcpListener Listen(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        // Reopening on the same port must not wait for the cut connections' TIME_WAIT.
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        return listener;
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken open)
    {
        while (!open.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await listener.AcceptTcpClientAsync(open);
            }
            catch (Exception error) when (error is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = ForwardAsync(inbound, open);
        }
    }

    private async Task ForwardAsync(TcpClient inbound, CancellationToken open)
    {
        var outbound = new TcpClient();
        try
        {
            await outbound.ConnectAsync(_targetHost, _targetPort, open);
        }
        catch (Exception error) when (error is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The target is down: the caller sees its connection reset, as it would without the proxy.
            inbound.Client.Close(0);
            inbound.Dispose();
            outbound.Dispose();
            return;
        }

        lock (_gate)
        {
            if (open.IsCancellationRequested)
            {
                inbound.Client.Close(0);
                inbound.Dispose();
                outbound.Dispose();
                return;
            }

            _connections.Add(inbound);
            _connections.Add(outbound);
        }

        await Task.WhenAll(PumpAsync(inbound, outbound, open), PumpAsync(outbound, inbound, open));
        lock (_gate)
        {
            _connections.Remove(inbound);
            _connections.Remove(outbound);
        }

        inbound.Dispose();
        outbound.Dispose();
    }

    private static async Task PumpAsync(TcpClient from, TcpClient to, CancellationToken open)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream(), open);
        }
        catch (Exception error) when (error is IOException or OperationCanceledException or ObjectDisposedException or SocketException or InvalidOperationException)
        {
            // A cut connection is the point of this proxy.
        }

        // One side ended: end the other too, so neither waits for ever.
        try
        {
            to.Client.Shutdown(SocketShutdown.Send);
        }
        catch (Exception error) when (error is ObjectDisposedException or SocketException)
        {
            // Already gone.
        }
    }
}
