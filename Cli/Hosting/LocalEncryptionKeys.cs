using System.Globalization;
using System.Text.Json;
using LeadFlow.Temporal.Encryption;

namespace LeadFlow.Cli.Hosting;

/// <summary>
/// The payload encryption key of a local run (<c>up</c>, <c>demo</c>): made once, kept beside the local data in
/// <c>encryption-keys.json</c> (<c>.leadflow/encryption-keys.json</c> for <c>up</c>; git-ignored), readable by its owner
/// only (mode 0600), in the key file format of <c>LeadFlow__Encryption__KeyFile</c>. So the encrypted path is what runs
/// locally too. Not used when <c>LeadFlow__Encryption__*</c> is set.
/// </summary>
public static class LocalEncryptionKeys
{
    public const string FileName = "encryption-keys.json";

    /// <summary>The key file in <paramref name="directory"/>, made now when missing.</summary>
    /// <returns>The file's path, and whether it was made now.</returns>
    public static (string Path, bool Created) Ensure(string directory)
    {
        Directory.CreateDirectory(directory);
        var path = System.IO.Path.GetFullPath(System.IO.Path.Combine(directory, FileName));
        if (File.Exists(path))
        {
            return (path, false);
        }

        var keyId = "local-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var content = new PayloadEncryptionOptions.KeyFileContent(keyId, new() { [keyId] = Convert.ToBase64String(EncryptionKeyRing.NewKey()) });
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var stream = new FileStream(path, options);
            JsonSerializer.Serialize(stream, content, new JsonSerializerOptions { WriteIndented = true });
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another local run made it first: use that one.
            return (path, false);
        }

        return (path, true);
    }
}
