//! Terraform's built-in functions, special references and `for` expressions as constructors.
//!
//! The common functions have typed shortcuts; any other built-in is reachable through [`call`].

use super::traversal::{Root, Traversal};
use super::typed::{Any, Expr, List, Map, Num};
use super::{Call, Expression, ForExpr};

/// Calls the built-in function `name` with `args`: `name(args...)`.
///
/// The name is checked against Terraform's built-ins at synth.
pub fn call<T>(name: &str, args: impl IntoIterator<Item = Expression>) -> Expr<T> {
    let call = Call { name: name.to_owned(), args: args.into_iter().collect(), expand_final: false };
    Expr::from_expression(Expression::Call(Box::new(call)))
}

/// `jsonencode(value)`: a JSON document built from typed data and references.
pub fn jsonencode(value: impl Into<Expression>) -> Expr<String> {
    call("jsonencode", [value.into()])
}

/// `cidrsubnet(prefix, newbits, netnum)`.
pub fn cidrsubnet(
    prefix: impl Into<Expr<String>>,
    newbits: impl Into<Expr<Num>>,
    netnum: impl Into<Expr<Num>>,
) -> Expr<String> {
    call("cidrsubnet", [prefix.into().into(), newbits.into().into(), netnum.into().into()])
}

/// `merge(maps...)`.
pub fn merge<T>(maps: impl IntoIterator<Item = Expr<Map<T>>>) -> Expr<Map<T>> {
    call("merge", maps.into_iter().map(Into::into))
}

/// `lookup(map, key, default)`.
pub fn lookup<T>(map: impl Into<Expr<Map<T>>>, key: impl Into<Expr<String>>, default: impl Into<Expr<T>>) -> Expr<T> {
    call("lookup", [map.into().into(), key.into().into(), default.into().into()])
}

/// `length(collection)`.
pub fn length(collection: impl Into<Expression>) -> Expr<Num> {
    call("length", [collection.into()])
}

/// `element(list, index)`.
pub fn element<T>(list: impl Into<Expr<List<T>>>, index: impl Into<Expr<Num>>) -> Expr<T> {
    call("element", [list.into().into(), index.into().into()])
}

/// `count.index` inside a resource with `count`.
pub fn count_index() -> Expr<Num> {
    root(Root::CountIndex)
}

/// `each.key` inside a resource with `for_each`.
pub fn each_key() -> Expr<String> {
    root(Root::EachKey)
}

/// `each.value` inside a resource with `for_each`.
pub fn each_value() -> Expr<Any> {
    root(Root::EachValue)
}

fn root<T>(root: Root) -> Expr<T> {
    Expr::from_expression(Expression::Traversal(Box::new(Traversal::new(root))))
}

/// The variable a `for` expression binds, for use in its body.
pub fn iterator(name: &str) -> Expr<Any> {
    root(Root::Iterator(name.to_owned()))
}

/// `[for value in collection : body(value)]`.
pub fn for_list<T>(
    value_var: &str,
    collection: impl Into<Expression>,
    body: impl FnOnce(Expr<Any>) -> Expr<T>,
) -> Expr<List<T>> {
    for_expr(None, value_var, collection.into(), None, body(iterator(value_var)).into())
}

/// `{for key, value in collection : key_body(key, value) => value_body(key, value)}`.
pub fn for_map<T>(
    (key_var, value_var): (&str, &str),
    collection: impl Into<Expression>,
    body: impl FnOnce(Expr<Any>, Expr<Any>) -> (Expr<String>, Expr<T>),
) -> Expr<Map<T>> {
    let (key, value) = body(iterator(key_var), iterator(value_var));
    for_expr(Some(key_var), value_var, collection.into(), Some(key.into()), value.into())
}

/// `{for item in collection : key(item) => value(item)}`.
pub fn for_object<T>(
    var: &str,
    collection: impl Into<Expression>,
    body: impl FnOnce(Expr<Any>) -> (Expr<String>, Expr<T>),
) -> Expr<Map<T>> {
    let (key, value) = body(iterator(var));
    for_expr(None, var, collection.into(), Some(key.into()), value.into())
}

/// `[for key, value in collection : body(key, value)]`, the seeds' map-to-list-of-objects idiom.
pub fn for_entries<T>(
    (key_var, value_var): (&str, &str),
    collection: impl Into<Expression>,
    body: impl FnOnce(Expr<Any>, Expr<Any>) -> Expr<T>,
) -> Expr<List<T>> {
    let value = body(iterator(key_var), iterator(value_var)).into();
    for_expr(Some(key_var), value_var, collection.into(), None, value)
}

fn for_expr<T>(
    key_var: Option<&str>,
    value_var: &str,
    collection: Expression,
    key: Option<Expression>,
    value: Expression,
) -> Expr<T> {
    let f = ForExpr {
        key_var: key_var.map(str::to_owned),
        value_var: value_var.to_owned(),
        collection,
        key,
        value,
        condition: None,
    };
    Expr::from_expression(Expression::For(Box::new(f)))
}

/// Terraform's built-in function names (Terraform 1.11), for the synth-time check of [`call`].
pub const BUILTINS: &[&str] = &[
    "abs",
    "abspath",
    "alltrue",
    "anytrue",
    "base64decode",
    "base64encode",
    "base64gzip",
    "base64sha256",
    "base64sha512",
    "basename",
    "bcrypt",
    "can",
    "ceil",
    "chomp",
    "chunklist",
    "cidrhost",
    "cidrnetmask",
    "cidrsubnet",
    "cidrsubnets",
    "coalesce",
    "coalescelist",
    "compact",
    "concat",
    "contains",
    "csvdecode",
    "dirname",
    "distinct",
    "element",
    "endswith",
    "ephemeralasnull",
    "file",
    "filebase64",
    "filebase64sha256",
    "filebase64sha512",
    "fileexists",
    "filemd5",
    "fileset",
    "filesha1",
    "filesha256",
    "filesha512",
    "flatten",
    "floor",
    "format",
    "formatdate",
    "formatlist",
    "indent",
    "index",
    "issensitive",
    "join",
    "jsondecode",
    "jsonencode",
    "keys",
    "length",
    "list",
    "log",
    "lookup",
    "lower",
    "map",
    "matchkeys",
    "max",
    "md5",
    "merge",
    "min",
    "nonsensitive",
    "one",
    "parseint",
    "pathexpand",
    "plantimestamp",
    "pow",
    "range",
    "regex",
    "regexall",
    "replace",
    "reverse",
    "rsadecrypt",
    "sensitive",
    "setintersection",
    "setproduct",
    "setsubtract",
    "setunion",
    "sha1",
    "sha256",
    "sha512",
    "signum",
    "slice",
    "sort",
    "split",
    "startswith",
    "strcontains",
    "strrev",
    "substr",
    "sum",
    "templatefile",
    "templatestring",
    "textdecodebase64",
    "textencodebase64",
    "timeadd",
    "timecmp",
    "timestamp",
    "title",
    "tobool",
    "tolist",
    "tomap",
    "tonumber",
    "toset",
    "tostring",
    "transpose",
    "trim",
    "trimprefix",
    "trimspace",
    "trimsuffix",
    "try",
    "type",
    "upper",
    "urldecode",
    "urlencode",
    "uuid",
    "uuidv5",
    "values",
    "yamldecode",
    "yamlencode",
    "zipmap",
];
