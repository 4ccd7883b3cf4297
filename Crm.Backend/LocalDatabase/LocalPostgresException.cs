namespace LeadFlow.Crm.Backend.LocalDatabase;

/// <summary>The local PostgreSQL cluster could not be found, initialised, started or stopped.</summary>
public sealed class LocalPostgresException : Exception
{
    public LocalPostgresException()
    {
    }

    public LocalPostgresException(string message)
        : base(message)
    {
    }

    public LocalPostgresException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
