using System.Runtime.InteropServices;
using Fleetman.LoadGenerator;

// Ctrl+C and SIGTERM (kubectl delete, docker stop) end the run early with the full report; a second one ends it at once.
using var stop = new CancellationTokenSource();
void Stop(PosixSignalContext context)
{
    if (!stop.IsCancellationRequested)
    {
        context.Cancel = true;
        stop.Cancel();
    }
}

using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
return await LoadGeneratorCommand.RunAsync(args, Console.Out, Console.Error, stop.Token);
