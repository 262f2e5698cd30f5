using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Fleetman.TestSelection;

/// <summary>One test as xUnit v2 would discover it, as far as the metadata tells its filterable properties.</summary>
/// <param name="FullyQualifiedName">The class's full name (nested classes joined with '+'), a dot and the method's
/// name: what xUnit's VSTest adapter gives as FullyQualifiedName.</param>
/// <param name="DisplayName">Its display name: by default the fully qualified name, a theory's followed by its
/// arguments.</param>
/// <param name="Traits">Its traits (method's and class's), or null when an attribute may add ones not known here.</param>
public sealed record TestCaseInfo(
    PropertyValue FullyQualifiedName,
    PropertyValue DisplayName,
    IReadOnlyList<KeyValuePair<string, string>>? Traits);

/// <summary>The tests of one assembly, or why they cannot be told (then any filter may select some).</summary>
public sealed record AssemblyTests(string Path, IReadOnlyList<TestCaseInfo> Tests, string? Unreadable)
{
    /// <summary>Every trait name of the assembly's tests, when all their traits are known.</summary>
    public IReadOnlySet<string>? TraitNames { get; } = Tests.Any(test => test.Traits is null)
        ? null
        : Tests.SelectMany(test => test.Traits!).Select(trait => trait.Key).ToHashSet(StringComparer.Ordinal);
}

/// <summary>
/// Reads a built xUnit v2 test assembly's metadata (System.Reflection.Metadata: nothing is loaded or run) and lists its
/// tests as xUnit's discovery would: every method with <c>[Fact]</c>, <c>[Theory]</c> or an attribute derived from
/// them, in every class that is not abstract (static ones included), including the methods it inherits, from base
/// classes in this assembly or in others of its folder (the transport contract suite is an abstract base whose tests
/// run in each derived class, under that class's name). Where the metadata cannot tell, the answer is wider, never
/// narrower: an attribute whose type cannot be found counts as a test attribute, and a value not known is unknown.
/// </summary>
public sealed class TestCatalog : IDisposable
{
    private const string Fact = "Xunit.FactAttribute";
    private const string Theory = "Xunit.TheoryAttribute";
    private const string Trait = "Xunit.TraitAttribute";

    // The test attributes whose display name is the one their DisplayName argument gives (or the default): derived ones
    // may set their own.
    private static readonly HashSet<string> PlainTestAttributes =
        [Fact, Theory, "Xunit.SkippableFactAttribute", "Xunit.SkippableTheoryAttribute"];

    private readonly string folder;
    private readonly Dictionary<string, Module?> modules = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<(MetadataReader, EntityHandle), AttributeKind> kinds = [];

    private TestCatalog(string folder) => this.folder = folder;

    private enum AttributeKind
    {
        Other,
        Fact,
        Theory,
        Trait,
        CustomTrait,
        Unresolved,
    }

    /// <summary>Lists the tests of the assembly at <paramref name="path"/>, reading the assemblies beside it as needed.</summary>
    public static AssemblyTests Read(string path)
    {
        using var catalog = new TestCatalog(Path.GetDirectoryName(Path.GetFullPath(path))!);
        return catalog.ReadAssembly(path);
    }

    public void Dispose()
    {
        foreach (var module in modules.Values)
        {
            module?.Pe.Dispose();
        }
    }

    private AssemblyTests ReadAssembly(string path)
    {
        var module = Open(Path.GetFileNameWithoutExtension(path));
        if (module is null)
        {
            return new AssemblyTests(path, [], $"{path} is not a .NET assembly");
        }

        var reader = module.Reader;
        var references = reader.AssemblyReferences.Select(handle => reader.GetString(reader.GetAssemblyReference(handle).Name)).ToList();
        if (!references.Contains("xunit.core", StringComparer.OrdinalIgnoreCase))
        {
            return new AssemblyTests(path, [], "it does not reference xUnit v2 (xunit.core), whose discovery is what is read here");
        }

        if (HasAssemblyAttribute(reader, "Xunit.TestFrameworkAttribute"))
        {
            return new AssemblyTests(path, [], "it names a test framework of its own ([assembly: TestFramework])");
        }

        // xunit.runner.json's methodDisplay and methodDisplayOptions change every display name.
        var runnerConfiguration = Path.Combine(folder, "xunit.runner.json");
        var displayNamesKnown = !File.Exists(runnerConfiguration) ||
            !File.ReadAllText(runnerConfiguration).Contains("methodDisplay", StringComparison.OrdinalIgnoreCase);

        var tests = new List<TestCaseInfo>();
        foreach (var handle in reader.TypeDefinitions)
        {
            var type = reader.GetTypeDefinition(handle);
            var attributes = type.Attributes;
            if ((attributes & TypeAttributes.Interface) != 0 ||
                ((attributes & TypeAttributes.Abstract) != 0 && (attributes & TypeAttributes.Sealed) == 0))
            {
                continue;
            }

            tests.AddRange(TestsOf(module, handle, displayNamesKnown));
        }

        return new AssemblyTests(path, tests, null);
    }

    private List<TestCaseInfo> TestsOf(Module module, TypeDefinitionHandle handle, bool displayNamesKnown)
    {
        var reader = module.Reader;
        var type = reader.GetTypeDefinition(handle);
        var className = FullName(reader, handle);
        // A generic test class's tests are named with its arity: not worked out here.
        var classKnown = type.GetGenericParameters().Count == 0;
        var classTraits = TraitsOf(reader, type.GetCustomAttributes());

        var tests = new List<TestCaseInfo>();
        var inheritedTraits = false;
        (Module Module, TypeDefinitionHandle Handle)? current = (module, handle);
        for (var level = 0; current is { } at && level < 32; level++)
        {
            var currentReader = at.Module.Reader;
            var definition = currentReader.GetTypeDefinition(at.Handle);
            if (level > 0 && TraitsOf(currentReader, definition.GetCustomAttributes()) is not { Count: 0 })
            {
                inheritedTraits = true;
            }

            foreach (var methodHandle in definition.GetMethods())
            {
                var method = currentReader.GetMethodDefinition(methodHandle);
                // A base class's private methods are not the derived class's (reflection's GetRuntimeMethods).
                if (level > 0 && (method.Attributes & MethodAttributes.MemberAccessMask) == MethodAttributes.Private)
                {
                    continue;
                }

                var test = TestOf(currentReader, method, className, classKnown, displayNamesKnown);
                if (test is not null)
                {
                    tests.Add(test with { Traits = Combine(test.Traits, classTraits) });
                }
            }

            current = BaseOf(at.Module, definition, out var missingBase);
            if (missingBase)
            {
                // Whatever it declares is not known: a test of any name of this class.
                tests.Add(new TestCaseInfo(
                    classKnown ? PropertyValue.StartingWith(className + ".") : PropertyValue.Unknown, PropertyValue.Unknown, null));
            }
        }

        return inheritedTraits ? [.. tests.Select(test => test with { Traits = null })] : tests;
    }

    private TestCaseInfo? TestOf(MetadataReader reader, MethodDefinition method, string className, bool classKnown, bool displayNamesKnown)
    {
        var kind = AttributeKind.Other;
        var plain = true;
        string? displayName = null;
        foreach (var attributeHandle in method.GetCustomAttributes())
        {
            var attribute = reader.GetCustomAttribute(attributeHandle);
            var attributeKind = KindOf(reader, attribute);
            if (attributeKind is AttributeKind.Fact or AttributeKind.Theory or AttributeKind.Unresolved)
            {
                kind = kind == AttributeKind.Other ? attributeKind : AttributeKind.Unresolved;
                CustomAttributeValue<string> value = default;
                plain = attributeKind != AttributeKind.Unresolved &&
                    PlainTestAttributes.Contains(FullName(reader, AttributeType(reader, attribute))) &&
                    TryDecode(reader, attribute, out value);
                displayName = plain ? value.NamedArguments.LastOrDefault(argument => argument.Name == "DisplayName").Value as string : null;
            }
        }

        if (kind == AttributeKind.Other)
        {
            return null;
        }

        var name = className + "." + reader.GetString(method.Name);
        var fullyQualifiedName = classKnown ? PropertyValue.Exactly(name) : PropertyValue.Unknown;
        var shown = displayName ?? name;
        var display = !plain || !displayNamesKnown || (!classKnown && displayName is null) ? PropertyValue.Unknown
            // A theory's rows are shown with their arguments after the name: "Name(x: 1)"; one not enumerated before
            // running it, by its name alone.
            : kind == AttributeKind.Theory ? PropertyValue.StartingWith(shown)
            : PropertyValue.Exactly(shown);
        return new TestCaseInfo(fullyQualifiedName, display, TraitsOf(reader, method.GetCustomAttributes()));
    }

    private static List<KeyValuePair<string, string>>? Combine(
        IReadOnlyList<KeyValuePair<string, string>>? method, IReadOnlyList<KeyValuePair<string, string>>? type) =>
        method is null || type is null ? null : [.. method, .. type];

    // The [Trait("name", "value")] pairs of one member; null when an attribute may add traits not known here (one with
    // a trait discoverer of its own, or one whose type cannot be found).
    private List<KeyValuePair<string, string>>? TraitsOf(MetadataReader reader, CustomAttributeHandleCollection attributes)
    {
        var traits = new List<KeyValuePair<string, string>>();
        foreach (var handle in attributes)
        {
            var attribute = reader.GetCustomAttribute(handle);
            switch (KindOf(reader, attribute))
            {
                case AttributeKind.Trait:
                    if (!TryDecode(reader, attribute, out var value) || value.FixedArguments.Length != 2 ||
                        value.FixedArguments[0].Value is not string name || value.FixedArguments[1].Value is not string text)
                    {
                        return null;
                    }

                    traits.Add(new(name, text));
                    break;
                case AttributeKind.CustomTrait or AttributeKind.Unresolved:
                    return null;
            }
        }

        return traits;
    }

    private AttributeKind KindOf(MetadataReader reader, CustomAttribute attribute)
    {
        var type = AttributeType(reader, attribute);
        if (kinds.TryGetValue((reader, type), out var known))
        {
            return known;
        }

        var kind = Classify(reader, type);
        kinds[(reader, type)] = kind;
        return kind;
    }

    // Walks the attribute type's base classes up to an xUnit attribute that decides, or to one outside the test's
    // folder (the framework's, which cannot derive from xUnit's); a type that cannot be found leaves it unresolved.
    private AttributeKind Classify(MetadataReader reader, EntityHandle type)
    {
        var discoverer = false;
        for (var level = 0; level < 32; level++)
        {
            switch (FullName(reader, type))
            {
                case Theory:
                    return AttributeKind.Theory;
                case Fact:
                    return AttributeKind.Fact;
                case Trait:
                    return AttributeKind.Trait;
            }

            var resolved = Resolve(reader, type, out var outside);
            if (resolved is not { } at)
            {
                return outside ? (discoverer ? AttributeKind.CustomTrait : AttributeKind.Other) : AttributeKind.Unresolved;
            }

            var definition = at.Module.Reader.GetTypeDefinition(at.Handle);
            discoverer |= definition.GetCustomAttributes().Any(handle =>
                FullName(at.Module.Reader, AttributeType(at.Module.Reader, at.Module.Reader.GetCustomAttribute(handle))) ==
                "Xunit.Sdk.TraitDiscovererAttribute");
            if (definition.BaseType.IsNil)
            {
                return discoverer ? AttributeKind.CustomTrait : AttributeKind.Other;
            }

            reader = at.Module.Reader;
            type = definition.BaseType;
        }

        return AttributeKind.Unresolved;
    }

    private (Module Module, TypeDefinitionHandle Handle)? BaseOf(Module module, TypeDefinition definition, out bool missing)
    {
        missing = false;
        if (definition.BaseType.IsNil)
        {
            return null;
        }

        var resolved = Resolve(module.Reader, definition.BaseType, out var outside);
        // Outside the folder: the framework's (object, ...), whose methods are no tests.
        missing = resolved is null && !outside;
        return resolved;
    }

    // The definition a type handle stands for, in this assembly or another of the folder; null and outside when its
    // assembly is not in the folder, null alone when it cannot be found.
    private (Module Module, TypeDefinitionHandle Handle)? Resolve(MetadataReader reader, EntityHandle handle, out bool outside)
    {
        outside = false;
        var module = Open(reader);
        switch (handle.Kind)
        {
            case HandleKind.TypeDefinition:
                return (module, (TypeDefinitionHandle)handle);
            case HandleKind.TypeSpecification:
                // A generic base class, Base<T>: its definition.
                var blob = reader.GetBlobReader(reader.GetTypeSpecification((TypeSpecificationHandle)handle).Signature);
                if (blob.ReadSignatureTypeCode() != SignatureTypeCode.GenericTypeInstance)
                {
                    return null;
                }

                blob.ReadByte();
                return Resolve(reader, blob.ReadTypeHandle(), out outside);
            case HandleKind.TypeReference:
                var reference = reader.GetTypeReference((TypeReferenceHandle)handle);
                var name = reader.GetString(reference.Name);
                var scope = reference.ResolutionScope;
                switch (scope.Kind)
                {
                    case HandleKind.TypeReference:
                        var enclosing = Resolve(reader, scope, out outside);
                        return enclosing is { } at ? Nested(at.Module, at.Handle, name) : null;
                    case HandleKind.AssemblyReference:
                        var target = Open(reader.GetString(reader.GetAssemblyReference((AssemblyReferenceHandle)scope).Name));
                        if (target is null)
                        {
                            outside = true;
                            return null;
                        }

                        return TopLevel(target, reader.GetString(reference.Namespace), name, out outside);
                    case HandleKind.ModuleDefinition:
                        return TopLevel(module, reader.GetString(reference.Namespace), name, out outside);
                    default:
                        return null;
                }

            default:
                return null;
        }
    }

    private (Module Module, TypeDefinitionHandle Handle)? TopLevel(Module module, string ns, string name, out bool outside)
    {
        outside = false;
        if (module.TopLevel.TryGetValue((ns, name), out var handle))
        {
            return (module, handle);
        }

        // Forwarded to another assembly.
        var reader = module.Reader;
        foreach (var exportedHandle in reader.ExportedTypes)
        {
            var exported = reader.GetExportedType(exportedHandle);
            if (exported.IsForwarder && reader.GetString(exported.Name) == name && reader.GetString(exported.Namespace) == ns &&
                exported.Implementation.Kind == HandleKind.AssemblyReference)
            {
                var target = Open(reader.GetString(reader.GetAssemblyReference((AssemblyReferenceHandle)exported.Implementation).Name));
                if (target is null)
                {
                    outside = true;
                    return null;
                }

                return TopLevel(target, ns, name, out outside);
            }
        }

        return null;
    }

    private static (Module Module, TypeDefinitionHandle Handle)? Nested(Module module, TypeDefinitionHandle enclosing, string name)
    {
        foreach (var nested in module.Reader.GetTypeDefinition(enclosing).GetNestedTypes())
        {
            if (module.Reader.GetString(module.Reader.GetTypeDefinition(nested).Name) == name)
            {
                return (module, nested);
            }
        }

        return null;
    }

    private Module? Open(string assemblyName)
    {
        if (modules.TryGetValue(assemblyName, out var known))
        {
            return known;
        }

        Module? module = null;
        var path = Path.Combine(folder, assemblyName + ".dll");
        if (File.Exists(path))
        {
            var pe = new PEReader(File.OpenRead(path));
            if (pe.HasMetadata)
            {
                module = new Module(pe, pe.GetMetadataReader());
            }
            else
            {
                pe.Dispose();
            }
        }

        modules[assemblyName] = module;
        return module;
    }

    private Module Open(MetadataReader reader) => modules.Values.First(module => module?.Reader == reader)!;

    private static EntityHandle AttributeType(MetadataReader reader, CustomAttribute attribute) => attribute.Constructor.Kind switch
    {
        HandleKind.MethodDefinition => reader.GetMethodDefinition((MethodDefinitionHandle)attribute.Constructor).GetDeclaringType(),
        HandleKind.MemberReference => reader.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent,
        _ => default,
    };

    private static string FullName(MetadataReader reader, EntityHandle handle)
    {
        switch (handle.Kind)
        {
            case HandleKind.TypeDefinition:
                var definition = reader.GetTypeDefinition((TypeDefinitionHandle)handle);
                var name = reader.GetString(definition.Name);
                var declaring = definition.GetDeclaringType();
                if (!declaring.IsNil)
                {
                    return FullName(reader, declaring) + "+" + name;
                }

                var ns = reader.GetString(definition.Namespace);
                return ns.Length == 0 ? name : ns + "." + name;
            case HandleKind.TypeReference:
                var reference = reader.GetTypeReference((TypeReferenceHandle)handle);
                var referenceName = reader.GetString(reference.Name);
                if (reference.ResolutionScope.Kind == HandleKind.TypeReference)
                {
                    return FullName(reader, reference.ResolutionScope) + "+" + referenceName;
                }

                var referenceNamespace = reader.GetString(reference.Namespace);
                return referenceNamespace.Length == 0 ? referenceName : referenceNamespace + "." + referenceName;
            default:
                return "";
        }
    }

    private static bool HasAssemblyAttribute(MetadataReader reader, string fullName) =>
        reader.GetAssemblyDefinition().GetCustomAttributes()
            .Any(handle => FullName(reader, AttributeType(reader, reader.GetCustomAttribute(handle))) == fullName);

    private static bool TryDecode(MetadataReader reader, CustomAttribute attribute, out CustomAttributeValue<string> value)
    {
        try
        {
            value = attribute.DecodeValue(new AttributeTypes(reader));
            return true;
        }
        catch (Exception e) when (e is BadImageFormatException or NotSupportedException or InvalidOperationException)
        {
            value = default;
            return false;
        }
    }

    private sealed record Module(PEReader Pe, MetadataReader Reader)
    {
        public Dictionary<(string Namespace, string Name), TypeDefinitionHandle> TopLevel { get; } = Reader.TypeDefinitions
            .Select(handle => (Handle: handle, Definition: Reader.GetTypeDefinition(handle)))
            .Where(type => type.Definition.GetDeclaringType().IsNil)
            .GroupBy(type => (Reader.GetString(type.Definition.Namespace), Reader.GetString(type.Definition.Name)))
            .ToDictionary(group => group.Key, group => group.First().Handle);
    }

    // Attribute arguments decoded to their values, types named by their full names; an enum argument cannot be decoded
    // without its definition and fails the decoding (the caller then knows nothing of the attribute's arguments).
    private sealed class AttributeTypes(MetadataReader reader) : ICustomAttributeTypeProvider<string>
    {
        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode.ToString();

        public string GetSystemType() => "System.Type";

        public string GetSZArrayType(string elementType) => elementType + "[]";

        public string GetTypeFromDefinition(MetadataReader metadata, TypeDefinitionHandle handle, byte rawTypeKind) => FullName(metadata, handle);

        public string GetTypeFromReference(MetadataReader metadata, TypeReferenceHandle handle, byte rawTypeKind) => FullName(metadata, handle);

        public string GetTypeFromSerializedName(string name) => name;

        public PrimitiveTypeCode GetUnderlyingEnumType(string type) =>
            throw new NotSupportedException($"The enum {type} of an attribute argument in {reader.GetString(reader.GetAssemblyDefinition().Name)}.");

        public bool IsSystemType(string type) => type == "System.Type";
    }
}
