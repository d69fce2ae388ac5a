using Spectre.Console;
using Spectre.Console.Cli;
using Spectre.Console.Cli.Help;
using Spectre.Console.Rendering;

namespace DataExchange.Cli.Infrastructure;

/// <summary>
/// Default help plus, on the root page, what dx is, how it finds its server, and the exit codes:
/// scripts depend on those, so they belong where users look first.
/// </summary>
public sealed class DxHelpProvider(ICommandAppSettings settings) : HelpProvider(settings)
{
    public override IEnumerable<IRenderable> GetDescription(ICommandModel model, ICommandInfo? command)
    {
        if (command is not null)
        {
            return base.GetDescription(model, command);
        }

        return
        [
            new Markup("[yellow]DESCRIPTION:[/]"),
            Text.NewLine,
            new Text("    Terminal client for the DataExchange inter-agency data-sharing exchange."),
            Text.NewLine,
            new Text($"    Connection: DX_SERVER / DX_KEY, else the config file written by 'dx login' ({DxConfig.Path})."),
            Text.NewLine,
            Text.NewLine,
        ];
    }

    public override IEnumerable<IRenderable> GetFooter(ICommandModel model, ICommandInfo? command)
    {
        foreach (var renderable in base.GetFooter(model, command))
        {
            yield return renderable;
        }

        if (command is null)
        {
            yield return Text.NewLine;
            yield return new Text(ExitCodes.HelpText);
            yield return Text.NewLine;
        }
    }
}
