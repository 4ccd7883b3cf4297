namespace LeadFlow.Crm.Backend.LocalDatabase;

/// <summary>Where a <see cref="LocalPostgresCluster"/> keeps its files.</summary>
/// <param name="DataDirectory">The cluster's data directory; reused when it already holds a cluster.</param>
/// <param name="Temporary">A throw-away cluster: durability off (fsync=off) and its data directory deleted when stopped.</param>
public sealed record LocalPostgresOptions(string DataDirectory, bool Temporary = false);
