namespace LeadFlow.Crm.Backend.LocalDatabase;

/// <summary>The <c>initdb</c> and <c>pg_ctl</c> of one PostgreSQL installation: the PATH first, else the highest version under /usr/lib/postgresql.</summary>
internal sealed record LocalPostgresBinaries(string InitDb, string PgCtl)
{
    public static LocalPostgresBinaries Find()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var packaged = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(dir => (dir, version: int.TryParse(Path.GetFileName(dir), out var v) ? v : 0))
                .OrderByDescending(x => x.version)
                .Select(x => Path.Combine(x.dir, "bin"))
            : [];

        foreach (var directory in onPath.Concat(packaged))
        {
            var initDb = Path.Combine(directory, "initdb");
            var pgCtl = Path.Combine(directory, "pg_ctl");
            if (File.Exists(initDb) && File.Exists(pgCtl) && File.Exists(Path.Combine(directory, "postgres")))
            {
                return new LocalPostgresBinaries(initDb, pgCtl);
            }
        }

        throw new LocalPostgresException(
            "PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found on the PATH or under /usr/lib/postgresql/*/bin. " +
            "Install them with: sudo apt-get install -y postgresql  (or set ConnectionStrings__Crm to an existing server).");
    }

    public async Task<bool> IsRunningAsync(string dataDirectory, string? runAs, CancellationToken cancellationToken)
    {
        try
        {
            await LocalPostgresCluster.RunAsync(PgCtl, ["status", "-D", dataDirectory], runAs, cancellationToken);
            return true;
        }
        catch (LocalPostgresException)
        {
            // pg_ctl status exits non-zero when no server runs on this data directory (a stale pid file).
            return false;
        }
    }
}
