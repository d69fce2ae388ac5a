// Benchmarks, one subcommand each: dotnet run -c Release --project tests/DataExchange.Benchmarks -- <ingest|pull|read|lookup|load|validate> [options]
using DataExchange.Benchmarks.Ingest;
using DataExchange.Benchmarks.Load;
using DataExchange.Benchmarks.Lookup;
using DataExchange.Benchmarks.Pull;

return args.FirstOrDefault() switch
{
    "ingest" => await IngestBenchmark.RunAsync(args[1..]),
    "pull" => await PullBenchmark.RunAsync(args[1..]),
    "read" => await ReadBenchmark.RunAsync(args[1..]),
    "lookup" => await LookupBenchmark.RunAsync(args[1..]),
    "lookup-clients" => await LookupClients.ChildAsync(args[1..]),
    "load" => await LoadBenchmark.RunAsync(args[1..]),
    "validate" => await ValidateBenchmark.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project tests/DataExchange.Benchmarks -- ingest --rows 1000000 [--explain FILE] [--warmups N] [--deletions]");
    Console.Error.WriteLine("       dotnet run -c Release --project tests/DataExchange.Benchmarks -- pull --rows 1000000 [--no-audit]");
    Console.Error.WriteLine("       dotnet run -c Release --project tests/DataExchange.Benchmarks -- read [--rows 200000] [--seconds 4] [--clients 1,8] [--limits 100,1000]");
    Console.Error.WriteLine("       dotnet run -c Release --project tests/DataExchange.Benchmarks -- lookup --rows 1000000 [--seconds 30] [--clients 8] [--miss 0.2] [--batch 100] [--durable]");
    Console.Error.WriteLine("       dotnet run -c Release --project tests/DataExchange.Benchmarks -- load [--clients 50] [--seconds 60] [--rows 200000] [--ingest-rows 100000]");
    return 2;
}
