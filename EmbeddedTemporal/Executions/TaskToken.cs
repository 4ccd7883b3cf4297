using System.Text;
using Google.Protobuf;
using LeadFlow.EmbeddedTemporal.Grpc;

namespace LeadFlow.EmbeddedTemporal.Executions;

/// <summary>What a task token names. Tokens are opaque to the SDK; this server encodes them as a small binary record.</summary>
internal enum TaskTokenKind : byte
{
    WorkflowTask = 1,
    ActivityTask = 2,
    QueryTask = 3,
}

/// <summary>A decoded task token: which run, which scheduled event (or query) and which attempt.</summary>
internal sealed record TaskToken(TaskTokenKind Kind, string RunId, long ScheduledEventId, int Attempt, string QueryId)
{
    public ByteString Encode()
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write((byte)Kind);
            writer.Write(RunId);
            writer.Write(ScheduledEventId);
            writer.Write(Attempt);
            writer.Write(QueryId);
        }

        return ByteString.CopyFrom(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    public static TaskToken Decode(ByteString token, TaskTokenKind expected)
    {
        try
        {
            using var reader = new BinaryReader(new MemoryStream(token.ToByteArray()), Encoding.UTF8);
            var decoded = new TaskToken((TaskTokenKind)reader.ReadByte(), reader.ReadString(), reader.ReadInt64(), reader.ReadInt32(), reader.ReadString());
            return decoded.Kind == expected ? decoded : throw RpcErrors.InvalidArgument("Task token is for another kind of task.");
        }
        catch (EndOfStreamException)
        {
            throw RpcErrors.InvalidArgument("Error deserializing task token.");
        }
    }
}
