// C++ spellings derived from registry names (engine/ops/README.md, "Types"): struct names,
// nested enum type names and enumerators. The validator uses them to reject collisions, so the
// emitters can rely on them being unique.

/** `_random_uniform` → `RandomUniform`, `FullyConnected` → `FullyConnected`. */
export function camelCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== '')
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

/** The generated parameter struct: `broadcast_add` → `BroadcastAddParam`. */
export function structName(opName: string): string {
  return `${camelCase(opName)}Param`;
}

/** The nested enum class of an enum param: `pool_type` → `PoolType`. */
export function enumTypeName(paramName: string): string {
  return camelCase(paramName);
}

/** An enumerator: `max` → `kMax`, `rnn_relu` → `kRnnRelu`, `NCHW` → `kNCHW`. */
export function enumeratorName(value: string): string {
  return `k${camelCase(value)}`;
}

const CPP_KEYWORDS = new Set(
  (
    'alignas alignof and and_eq asm auto bitand bitor bool break case catch char char8_t char16_t ' +
    'char32_t class compl concept const consteval constexpr constinit const_cast continue ' +
    'co_await co_return co_yield decltype default delete do double dynamic_cast else enum ' +
    'explicit export extern false float for friend goto if inline int long mutable namespace new ' +
    'noexcept not not_eq nullptr operator or or_eq private protected public register ' +
    'reinterpret_cast requires return short signed sizeof static static_assert static_cast ' +
    'struct switch template this thread_local throw true try typedef typeid typename union ' +
    'unsigned using virtual void volatile wchar_t while xor xor_eq'
  ).split(' '),
);

/** The struct field of a param: its name, with `_` appended if it is a C++ keyword. */
export function fieldName(paramName: string): string {
  return CPP_KEYWORDS.has(paramName) ? `${paramName}_` : paramName;
}

/** Members every generated struct declares besides the params (params may not take these). */
export const RESERVED_MEMBERS: readonly string[] = ['kOpName', 'ToString'];
