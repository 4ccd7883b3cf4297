using System.Reflection.PortableExecutable;

namespace LeadFlow.Deployables.Tests.Support;

/// <summary>What a published file is, from its header: a .NET assembly (IL, or ReadyToRun), or a native library and for which platform.</summary>
public sealed record BinaryFile(string Kind, string? Platform, bool ReadyToRun)
{
    /// <summary>Not an executable format (JSON, text, a pdb).</summary>
    public static readonly BinaryFile NotBinary = new("data", null, false);

    /// <summary>A .NET assembly.</summary>
    public bool IsManaged => Kind == "assembly";

    /// <summary>A library for a processor and operating system, loaded natively.</summary>
    public bool IsNative => Kind is "ELF" or "Mach-O" or "PE";

    /// <summary>Reads the header of <paramref name="path"/>.</summary>
    public static BinaryFile Inspect(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> header = stackalloc byte[20];
        if (stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length)
        {
            return NotBinary;
        }

        if (header[..4].SequenceEqual("\u007fELF"u8))
        {
            var machine = BitConverter.ToUInt16(header[18..20]);
            return new BinaryFile("ELF", machine switch { 0x3E => "linux-x64", 0xB7 => "linux-arm64", 0x03 => "linux-x86", 0x28 => "linux-arm", _ => $"ELF machine 0x{machine:X}" }, false);
        }

        var magic = BitConverter.ToUInt32(header[..4]);
        if (magic is 0xFEEDFACE or 0xFEEDFACF or 0xCEFAEDFE or 0xCFFAEDFE or 0xBEBAFECA)
        {
            return new BinaryFile("Mach-O", "macOS", false);
        }

        if (header[0] != 'M' || header[1] != 'Z')
        {
            return NotBinary;
        }

        stream.Position = 0;
        using var pe = new PEReader(stream);
        if (pe.HasMetadata)
        {
            // A ReadyToRun image carries native code next to its IL, announced by the managed native header.
            return new BinaryFile("assembly", null, pe.PEHeaders.CorHeader?.ManagedNativeHeaderDirectory.Size > 0);
        }

        return new BinaryFile("PE", pe.PEHeaders.CoffHeader.Machine switch { Machine.Amd64 => "win-x64", Machine.Arm64 => "win-arm64", Machine.I386 => "win-x86", var m => $"Windows {m}" }, false);
    }
}
