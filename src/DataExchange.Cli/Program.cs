using DataExchange.Cli.Agencies;
using DataExchange.Cli.Audit;
using DataExchange.Cli.Datasets;
using DataExchange.Cli.Feeds;
using DataExchange.Cli.Infrastructure;
using DataExchange.Cli.Lookup;
using DataExchange.Cli.Pull;
using DataExchange.Cli.Session;
using DataExchange.Cli.Subscriptions;
using Spectre.Console.Cli;

// Ctrl+C cancels the running request instead of killing the process, so streams are closed and
// partial output files are not left half-flushed; a second Ctrl+C still terminates immediately.
using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (!cts.IsCancellationRequested)
    {
        e.Cancel = true;
        cts.Cancel();
    }
};

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("dx");
    config.UseAssemblyInformationalVersion();
    config.SetHelpProvider(new DxHelpProvider(config.Settings));
    config.CancellationExitCode(ExitCodes.Cancelled);
    // Unknown options are typos, not pass-through arguments: fail with exit 1 instead of ignoring them.
    config.UseStrictParsing();
    // Anything reaching here is a parse/validation error (commands report their own failures).
    config.SetExceptionHandler((ex, _) => ErrorReporter.ReportUsage(ex));

    config.AddCommand<LoginCommand>("login")
        .WithDescription("Verify a server URL and API key, then save them to the config file")
        .WithExample("login", "--server", "https://dx.example.gov", "--key", "dx_k…_…");
    config.AddCommand<MeCommand>("me")
        .WithDescription("Show the client, agency and roles of the current key");

    config.AddBranch("agencies", agencies =>
    {
        agencies.SetDescription("Manage member agencies (admin)");
        agencies.AddCommand<CreateAgencyCommand>("create")
            .WithDescription("Create an agency")
            .WithExample("agencies", "create", "health", "--name", "\"Department of Health\"");
        agencies.AddCommand<ListAgenciesCommand>("list").WithDescription("List agencies");
    });

    config.AddBranch("keys", keys =>
    {
        keys.SetDescription("Issue, list and revoke an agency's API keys");
        keys.AddCommand<IssueKeyCommand>("issue")
            .WithDescription("Issue a new API key (the secret is shown only once)")
            .WithExample("keys", "issue", "health", "--name", "\"feed job\"", "--role", "steward", "--expires", "2027-01-01T00:00:00Z");
        keys.AddCommand<ListKeysCommand>("list").WithDescription("List an agency's keys (metadata only)");
        keys.AddCommand<RevokeKeyCommand>("revoke").WithDescription("Revoke a key immediately");
    });

    config.AddBranch("datasets", datasets =>
    {
        datasets.SetDescription("Register, search and inspect datasets");
        datasets.AddCommand<RegisterDatasetCommand>("register")
            .WithDescription("Register a dataset from a manifest (schemaFile is inlined)")
            .WithExample("datasets", "register", "facilities/manifest.json");
        datasets.AddCommand<ListDatasetsCommand>("list")
            .WithDescription("Search the dataset catalogue")
            .WithExample("datasets", "list", "--owner", "health", "--tag", "geo", "--all");
        datasets.AddCommand<ShowDatasetCommand>("show").WithDescription("Show one dataset, its feed and schema versions");
        datasets.AddCommand<SetMetadataCommand>("metadata")
            .WithDescription("Replace a dataset's tags and DCAT-AP metadata (licence, contact point, themes, coverage, open) from a JSON file")
            .WithExample("datasets", "metadata", "health.facilities", "facilities.metadata.json");
        datasets.AddCommand<ImportFrictionlessCommand>("import")
            .WithDescription("Register a dataset from a Frictionless datapackage.json")
            .WithExample("datasets", "import", "world-cities/datapackage.json", "--source", "file:world-cities.csv", "--cron", "0 4 * * *");
    });

    config.AddBranch("schema", schema =>
    {
        schema.SetDescription("Evolve a dataset's schema");
        schema.AddCommand<CheckSchemaCommand>("check")
            .WithDescription("Check a schema's compatibility with the current version (exit 4 if incompatible)")
            .WithExample("schema", "check", "health.facilities", "schema.v2.json");
        schema.AddCommand<RegisterSchemaCommand>("register").WithDescription("Register a new schema version");
    });

    config.AddBranch("feed", feed =>
    {
        feed.SetDescription("Ingest data into a dataset");
        feed.AddCommand<FeedRunCommand>("run")
            .WithDescription("Start a run that fetches the dataset's configured feed source (--watch to follow it)")
            .WithExample("feed", "run", "health.facilities", "--watch");
        feed.AddCommand<FeedPushCommand>("push")
            .WithDescription("Upload a local payload file as a run (streamed; --watch to follow it)")
            .WithExample("feed", "push", "health.facilities", "facilities.csv", "--watch");
        feed.AddCommand<FeedSetCommand>("set")
            .WithDescription("Replace the dataset's feed from a JSON file (credential.secretEnv names the variable holding its secret)")
            .WithExample("feed", "set", "health.facilities", "feed.json");
        feed.AddCommand<FeedCredentialCommand>("credential")
            .WithDescription("Set or clear only the feed's credential; the secret is read from an environment variable, never shown again")
            .WithExample("feed", "credential", "health.facilities", "--kind", "bearer", "--secret-env", "FACILITIES_TOKEN");
    });

    config.AddBranch("runs", runs =>
    {
        runs.SetDescription("Inspect feed runs; release or discard held ones");
        runs.AddCommand<ListRunsCommand>("list").WithDescription("List a dataset's runs");
        runs.AddCommand<ShowRunCommand>("show").WithDescription("Show one run's status and counts");
        runs.AddCommand<RejectedRowsCommand>("rejected").WithDescription("List the rows a run rejected, with validation errors");
        runs.AddCommand<ReplayRunCommand>("replay").WithDescription("Replay a run's rejected rows under the latest schema (after fixing the schema or source)");
        runs.AddCommand<ReleaseRunCommand>("release")
            .WithDescription("Publish a held run (one that would delete more than the feed's maxDeleteShare) exactly as it was staged")
            .WithExample("runs", "release", "health.facilities", "43");
        runs.AddCommand<DiscardRunCommand>("discard")
            .WithDescription("Discard a held run: nothing is published")
            .WithExample("runs", "discard", "health.facilities", "43");
    });

    config.AddBranch("versions", versions =>
    {
        versions.SetDescription("Published dataset versions");
        versions.AddCommand<ListVersionsCommand>("list").WithDescription("List a dataset's published versions");
    });

    config.AddBranch("subscriptions", subscriptions =>
    {
        subscriptions.SetDescription("Request and grant access to other agencies' datasets");
        subscriptions.AddCommand<RequestSubscriptionCommand>("request")
            .WithDescription("Ask the owning agency for access to a dataset")
            .WithExample("subscriptions", "request", "health.facilities", "--purpose", "\"Emergency planning\"", "--field", "name", "--field", "beds");
        subscriptions.AddCommand<ListSubscriptionsCommand>("list").WithDescription("List subscriptions visible to your agency");
        subscriptions.AddCommand<ApproveSubscriptionCommand>("approve")
            .WithDescription("Approve a pending request, optionally narrowing fields or attaching a policy")
            .WithExample("subscriptions", "approve", "SUB_ID", "--field", "name", "--expires", "2027-01-01T00:00:00Z");
        subscriptions.AddCommand<RejectSubscriptionCommand>("reject").WithDescription("Reject a pending request with a reason");
        subscriptions.AddCommand<RevokeSubscriptionCommand>("revoke").WithDescription("Revoke access (or withdraw your own request)");
    });

    config.AddCommand<PullCommand>("pull")
        .WithDescription("Download a dataset's records (json array, ndjson or csv), streamed")
        .WithExample("pull", "health.facilities", "--format", "csv", "--out", "facilities.csv");

    config.AddCommand<LookupCommand>("lookup")
        .WithDescription("Look one record up by its key, for a purpose your subscription was approved for; --evidence writes the signed answer")
        .WithExample("lookup", "gd-amr.business-licences", "91440101MA5C2K8X1T", "--purpose", "social-insurance-registration", "--evidence", "licence.jws");

    config.AddBranch("evidence", evidence =>
    {
        evidence.SetDescription("Signed lookup evidence");
        evidence.AddCommand<EvidenceVerifyCommand>("verify")
            .WithDescription("Check a piece of evidence's signature, offline with --public-key, and print what it states (exit 7 if it does not verify)")
            .WithExample("evidence", "verify", "licence.jws", "--public-key", "evidence-key.json");
    });

    config.AddBranch("audit", audit =>
    {
        audit.SetDescription("Search, export and verify the audit log (auditor)");
        audit.AddCommand<AuditSearchCommand>("search")
            .WithDescription("Search audit entries")
            .WithExample("audit", "search", "--dataset", "health.facilities", "--outcome", "denied")
            .WithExample("audit", "search", "--action", "records-pulled", "--from", "2026-01-01T00:00:00Z");
        audit.AddCommand<AuditExportCommand>("export")
            .WithDescription("Stream matching audit entries to stdout as ndjson or csv")
            .WithExample("audit", "export", "--format", "csv", "--from", "2026-01-01T00:00:00Z");
        audit.AddCommand<AuditVerifyCommand>("verify")
            .WithDescription("Verify an NDJSON export: a whole-log one offline (hash chain, signed checkpoint, witnessed checkpoints), a filtered one entry by entry with the server's inclusion proofs (exit 7 if not)")
            .WithExample("audit", "verify", "audit.ndjson", "--public-key", "audit-key.pem")
            .WithExample("audit", "verify", "audit.ndjson", "--witness", "witness.json");
        audit.AddCommand<AuditSubjectCommand>("subject")
            .WithDescription("Who looked up one subject (a key of the dataset), when, why and with what outcome: the subject access report (owner stewards, auditors)")
            .WithExample("audit", "subject", "gd-amr.business-licences", "91440101MA5C2K8X1T");
        audit.AddCommand<AuditWitnessCommand>("witness")
            .WithDescription("Keep the exchange's signed checkpoints in a local file, each checked against the last by a consistency proof (exit 7 if not)")
            .WithExample("audit", "witness", "witness.json", "--public-key", "audit-key.pem");
    });
});

return await app.RunAsync(Compat.Rewrite(Lang.Choose(args, Environment.GetEnvironmentVariable)), cts.Token).ConfigureAwait(false);
