using Spectre.Console;

namespace DiffusionTune.Cli.Rendering;

/// <summary>
/// A table of results: a Spectre.Console table on an interactive terminal, plain space-aligned columns when output
/// is redirected (logs, files, pipes), so that it stays readable and easy to parse there.
/// </summary>
public sealed class ResultTable(string title, params string[] headers)
{
    readonly List<string[]> _rows = [];

    public void AddRow(params string[] cells)
    {
        if (cells.Length != headers.Length) throw new ArgumentException($"{cells.Length} cells for {headers.Length} columns", nameof(cells));
        _rows.Add(cells);
    }

    public void Write()
    {
        if (ConsoleReporter.Interactive)
            WriteSpectre();
        else
            WritePlain(Console.Out);
    }

    void WriteSpectre()
    {
        var table = new Table { Title = new TableTitle(Markup.Escape(title)) };
        for (int column = 0; column < headers.Length; column++)
        {
            var tableColumn = new TableColumn(Markup.Escape(headers[column]));
            // The first column names the row; the others hold numbers.
            if (column > 0) tableColumn.RightAligned();
            table.AddColumn(tableColumn);
        }
        foreach (var row in _rows) table.AddRow([.. row.Select(Markup.Escape)]);
        AnsiConsole.Write(table);
    }

    void WritePlain(TextWriter writer)
    {
        var widths = headers.Select((header, column) => _rows.Select(row => row[column].Length).Append(header.Length).Max()).ToArray();
        string Line(string[] cells) => string.Join("  ", cells.Select((cell, column) => column == 0 ? cell.PadRight(widths[column]) : cell.PadLeft(widths[column]))).TrimEnd();
        writer.WriteLine(title);
        writer.WriteLine(Line(headers));
        foreach (var row in _rows) writer.WriteLine(Line(row));
        writer.WriteLine();
    }
}
