using YamlDotNet.Core;
using YamlDotNet.Core.Tokens;

namespace Capstan.Kubernetes.Manifests;

/// <summary>
/// The documents of a YAML text built straight from YamlDotNet's scanner tokens, for the plain shapes manifests are
/// written in: block and flow mappings and sequences of scalars, empty values, comments, explicit and implicit
/// documents. It gives up (null) on anything else (anchors, aliases, tags, directives, complex keys, a scalar as a
/// document, or any token the parser would have to judge), and on any error: the caller then reads the text with
/// YamlDotNet's parser, whose trees and messages these are. The scanner alone does not pay what the parser's events
/// cost (it checks every key against the runtime's intern table, a lock that the cores reading parts in parallel
/// contend for).
/// </summary>
internal static class YamlTokenTree
{
    /// <summary>The documents' roots (null for an empty document), or null when the parser must read the text.</summary>
    public static List<YamlNode?>? TryRead(string text, int lineOffset)
    {
        var builder = new Builder(new Scanner(new StringReader(text), skipComments: true), lineOffset);
        try
        {
            return builder.Stream();
        }
        catch (Exception e) when (e is GiveUp or YamlException or InvalidOperationException)
        {
            return null;
        }
    }

    private sealed class GiveUp : Exception;

    private sealed class Builder(Scanner scanner, int lineOffset)
    {
        private Token _current = null!;

        private void Next() => _current = scanner.MoveNext() ? scanner.Current! : throw new GiveUp();

        private static GiveUp Fail() => new();

        public List<YamlNode?> Stream()
        {
            Next();
            if (_current is not StreamStart)
            {
                throw Fail();
            }

            Next();
            var documents = new List<YamlNode?>();
            if (_current is not (DocumentStart or StreamEnd))
            {
                documents.Add(Root());
            }

            while (_current is DocumentStart)
            {
                Next();
                documents.Add(_current is DocumentStart or DocumentEnd or StreamEnd ? null : Root());
                while (_current is DocumentEnd)
                {
                    Next();
                }
            }

            return _current is StreamEnd ? documents : throw Fail();
        }

        private YamlNode Root()
        {
            // A document of one scalar has rules of its own in the parser: left to it.
            var root = _current is Scalar ? throw Fail() : Block();
            while (_current is DocumentEnd)
            {
                Next();
            }

            return root;
        }

        private YamlNode Block() => _current switch
        {
            Scalar => ReadScalar(),
            BlockMappingStart => BlockMapping(),
            BlockSequenceStart => BlockSequence(),
            FlowSequenceStart => FlowSequence(),
            FlowMappingStart => FlowMapping(),
            _ => throw Fail(),
        };

        private YamlNode Flow() => _current switch
        {
            Scalar => ReadScalar(),
            FlowSequenceStart => FlowSequence(),
            FlowMappingStart => FlowMapping(),
            _ => throw Fail(),
        };

        private YamlScalar ReadScalar()
        {
            var scalar = (Scalar)_current;
            Next();
            return new YamlScalar(scalar.Start, lineOffset, scalar.Value, scalar.Style == ScalarStyle.Plain);
        }

        /// <summary>The parser's empty node: a plain empty scalar where the value would have been.</summary>
        private YamlScalar Empty(Mark at) => new(at, lineOffset, "", plain: true);

        private YamlMapping BlockMapping()
        {
            var mapping = new YamlMapping(_current.Start, lineOffset);
            Next();
            while (_current is Key)
            {
                Next();
                var key = _current is Scalar ? ReadScalar() : throw Fail();
                if (_current is not Value value)
                {
                    throw Fail();
                }

                Next();
                var node = _current is Key or Value or BlockEnd ? Empty(value.End)
                    : _current is BlockEntry ? IndentlessSequence()
                    : Block();
                mapping.Entries.Add(new(key, node));
            }

            return _current is BlockEnd ? Ended(mapping) : throw Fail();
        }

        private YamlSequence BlockSequence()
        {
            var sequence = new YamlSequence(_current.Start, lineOffset);
            Next();
            while (_current is BlockEntry entry)
            {
                Next();
                sequence.Items.Add(_current is BlockEntry or BlockEnd ? Empty(entry.End) : Block());
            }

            return _current is BlockEnd ? Ended(sequence) : throw Fail();
        }

        /// <summary>A sequence at its mapping's indentation (<c>key:</c> then <c>- item</c> lines): no start or end token.</summary>
        private YamlSequence IndentlessSequence()
        {
            var sequence = new YamlSequence(_current.Start, lineOffset);
            while (_current is BlockEntry entry)
            {
                Next();
                sequence.Items.Add(_current is BlockEntry or Key or Value or BlockEnd ? Empty(entry.End) : Block());
            }

            return sequence;
        }

        private YamlSequence FlowSequence()
        {
            var sequence = new YamlSequence(_current.Start, lineOffset);
            Next();
            while (NextFlowEntry<FlowSequenceEnd>(sequence.Items.Count))
            {
                sequence.Items.Add(_current is Key ? throw Fail() : Flow());
            }

            return sequence;
        }

        /// <summary>
        /// Whether another entry of a flow collection follows (after the comma that must come between entries, a
        /// trailing one allowed); false with the collection's end consumed.
        /// </summary>
        private bool NextFlowEntry<TEnd>(int entries)
            where TEnd : Token
        {
            if (entries > 0 && _current is not TEnd)
            {
                if (_current is not FlowEntry)
                {
                    throw Fail();
                }

                Next();
            }

            if (_current is TEnd)
            {
                Next();
                return false;
            }

            return true;
        }

        private YamlMapping FlowMapping()
        {
            var mapping = new YamlMapping(_current.Start, lineOffset);
            Next();
            while (NextFlowEntry<FlowMappingEnd>(mapping.Entries.Count))
            {
                if (_current is not Key)
                {
                    throw Fail();
                }

                Next();
                var key = _current is Scalar ? ReadScalar() : throw Fail();
                if (_current is not Value)
                {
                    throw Fail();
                }

                Next();
                var value = _current is FlowEntry or FlowMappingEnd ? Empty(_current.Start) : Flow();
                if (_current is not (FlowEntry or FlowMappingEnd))
                {
                    throw Fail();
                }

                mapping.Entries.Add(new(key, value));
            }

            return mapping;
        }

        private T Ended<T>(T node)
        {
            Next();
            return node;
        }
    }
}
