using System.ComponentModel.DataAnnotations;

namespace Fleetman.ServiceDefaults.Tests;

/// <summary>Settings a service validates at start, for the tests of validated options and of the service runner.</summary>
public sealed class SampleOptions
{
    [Required]
    public string Host { get; set; } = "";

    [Range(1, 65535)]
    public int Port { get; set; }
}
