using DataExchange.Benchmarks.Pull;

return args.FirstOrDefault() switch
{
    "pull" => await PullBenchmark.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project tests/DataExchange.Benchmarks -- pull --rows 1000000 [--no-audit]");
    return 2;
}
