using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace Fleetman.ServiceDefaults;

/// <summary>Options bound from one configuration section and checked when the service starts.</summary>
public static class ValidatedOptions
{
    // What binding and checking read of an options class by reflection: a trimmed or AOT build keeps them for every
    // TOptions, without which it could not even construct one.
    private const DynamicallyAccessedMemberTypes OptionsMembers =
        DynamicallyAccessedMemberTypes.PublicParameterlessConstructor | DynamicallyAccessedMemberTypes.PublicProperties;

    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to the section <paramref name="sectionName"/> with <paramref name="bind"/>,
    /// checks its DataAnnotations attributes and <see cref="IValidatableObject"/> when the host starts, and names each
    /// bad setting as a user writes it:
    /// <c>Broker:Port (environment variable Broker__Port): The field Port must be between 1 and 65535.</c>
    /// A value that cannot be converted (<c>Port=abc</c>) is reported the same way instead of failing deep in the binder.
    /// </summary>
    /// <param name="bind">
    /// <c>static (section, options) => section.Bind(options)</c>, written where <typeparamref name="TOptions"/> is a
    /// concrete type: there the configuration binding source generator writes the binding code, which a generic call
    /// here could not have (it would bind by reflection, which trimming and Native AOT break).
    /// </param>
    /// <param name="optionsName">A named options instance (e.g. one per consumer); the default instance when null.</param>
    public static OptionsBuilder<TOptions> AddValidatedOptions<[DynamicallyAccessedMembers(OptionsMembers)] TOptions>(
        this IHostApplicationBuilder builder, string sectionName, Action<IConfigurationSection, TOptions> bind, string? optionsName = null)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(sectionName);
        ArgumentNullException.ThrowIfNull(bind);

        var name = optionsName ?? Options.DefaultName;
        builder.Services.AddSingleton<IValidateOptions<TOptions>>(new SettingsValidator<TOptions>(sectionName, name));
        return builder.Services.AddOptions<TOptions>(name)
            .Configure<IConfiguration>((options, configuration) => Bind(options, configuration.GetSection(sectionName), name, bind))
            .ValidateOnStart();
    }

    private static void Bind<[DynamicallyAccessedMembers(OptionsMembers)] TOptions>(
        TOptions options, IConfigurationSection section, string name, Action<IConfigurationSection, TOptions> bind)
        where TOptions : class
    {
        // Values of the types the binder parses are tried first, as it parses them, so that the setting can be named.
        var failures = new List<string>();
        foreach (var property in SettableProperties(typeof(TOptions)))
        {
            var key = KeyOf(property);
            if (section[key] is { } value && !Parses(property.PropertyType, value))
            {
                var typeName = (Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType).Name;
                failures.Add(Describe(section.Path, key, $"'{value}' is not a valid {typeName}."));
            }
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException(name, typeof(TOptions), failures);
        }

        bind(section, options);
    }

    // The parsing of the configuration binder's generated code (invariant culture, enum names in any case); an empty
    // value leaves a nullable property null. Other types (lists, dictionaries, nested sections) are the binder's alone.
    private static bool Parses(Type type, string value)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return value.Length == 0 || Parses(underlying, value);
        }

        var invariant = CultureInfo.InvariantCulture;
        if (type.IsEnum)
        {
            return Enum.TryParse(type, value, ignoreCase: true, out _);
        }

        return Type.GetTypeCode(type) switch
        {
            TypeCode.Boolean => bool.TryParse(value, out _),
            TypeCode.Byte => byte.TryParse(value, NumberStyles.Integer, invariant, out _),
            TypeCode.Int16 => short.TryParse(value, NumberStyles.Integer, invariant, out _),
            TypeCode.Int32 => int.TryParse(value, NumberStyles.Integer, invariant, out _),
            TypeCode.Int64 => long.TryParse(value, NumberStyles.Integer, invariant, out _),
            TypeCode.UInt16 => ushort.TryParse(value, NumberStyles.Integer, invariant, out _),
            TypeCode.UInt32 => uint.TryParse(value, NumberStyles.Integer, invariant, out _),
            TypeCode.UInt64 => ulong.TryParse(value, NumberStyles.Integer, invariant, out _),
            TypeCode.Single => float.TryParse(value, NumberStyles.Float | NumberStyles.AllowThousands, invariant, out _),
            TypeCode.Double => double.TryParse(value, NumberStyles.Float | NumberStyles.AllowThousands, invariant, out _),
            TypeCode.Decimal => decimal.TryParse(value, NumberStyles.Float | NumberStyles.AllowThousands, invariant, out _),
            _ when type == typeof(TimeSpan) => TimeSpan.TryParse(value, invariant, out _),
            _ when type == typeof(Uri) => Uri.TryCreate(value, UriKind.RelativeOrAbsolute, out _),
            _ => true,
        };
    }

    private static IEnumerable<PropertyInfo> SettableProperties([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(property => property.SetMethod is { IsPublic: true });

    private static string KeyOf(PropertyInfo property) =>
        property.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? property.Name;

    private static string Describe(string sectionPath, string? key, string problem)
    {
        var path = key is null ? sectionPath : ConfigurationPath.Combine(sectionPath, key);
        // Environment variables cannot contain ':', so .NET maps "__" to it.
        return $"{path} (environment variable {path.Replace(":", "__", StringComparison.Ordinal)}): {problem}";
    }

    /// <summary>DataAnnotations validation whose messages name configuration keys instead of C# members.</summary>
    private sealed class SettingsValidator<[DynamicallyAccessedMembers(OptionsMembers)] TOptions>(string sectionName, string optionsName) : IValidateOptions<TOptions>
        where TOptions : class
    {
        public ValidateOptionsResult Validate(string? name, TOptions options)
        {
            if (name != optionsName)
            {
                return ValidateOptionsResult.Skip;
            }

            var results = Validate(options);
            if (results.Count == 0)
            {
                return ValidateOptionsResult.Success;
            }

            var failures = new List<string>();
            foreach (var result in results)
            {
                var problem = result.ErrorMessage ?? "is invalid.";
                var members = result.MemberNames.ToList();
                if (members.Count == 0)
                {
                    failures.Add(Describe(sectionName, key: null, problem));
                }

                foreach (var member in members)
                {
                    var property = typeof(TOptions).GetProperty(member);
                    failures.Add(Describe(sectionName, property is null ? member : KeyOf(property), problem));
                }
            }

            return ValidateOptionsResult.Fail(failures);
        }

        // What Validator.TryValidateObject(options, context, results, validateAllProperties: true) does, from the
        // properties trimming keeps (OptionsMembers) instead of a type it would discover at run time: every property's
        // attributes (Required first, the others only when it holds), then, when they all hold, the class's attributes,
        // then IValidatableObject.
        private static List<ValidationResult> Validate(TOptions options)
        {
            var results = new List<ValidationResult>();
            foreach (var property in typeof(TOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var attributes = property.GetCustomAttributes<ValidationAttribute>(inherit: true).ToList();
                if (attributes.Count > 0 && property.GetMethod is { IsPublic: true } && property.GetIndexParameters().Length == 0)
                {
                    var context = new ValidationContext(options, property.Name, serviceProvider: null, items: null) { MemberName = property.Name };
                    Validator.TryValidateValue(property.GetValue(options)!, context, results, attributes);
                }
            }

            var typeContext = new ValidationContext(options, typeof(TOptions).Name, serviceProvider: null, items: null);
            if (results.Count == 0)
            {
                Validator.TryValidateValue(options, typeContext, results, typeof(TOptions).GetCustomAttributes<ValidationAttribute>(inherit: true));
            }

            if (results.Count == 0 && options is IValidatableObject validatable)
            {
                results.AddRange(validatable.Validate(typeContext).Where(result => result != ValidationResult.Success));
            }

            return results;
        }
    }
}
