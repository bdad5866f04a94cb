//! The dependency graph between a stack's blocks, from the typed references: an edge from a
//! block to each resource or data source its arguments, `count`/`for_each` or `depends_on`
//! refer to. Written as Mermaid (renders in GitHub Markdown) or Graphviz dot.

use std::collections::HashSet;
use std::fmt::Write;

use crate::expr::{Expression, Root};
use crate::model::{Repetition, Resource, Stack};

/// Every block address, in stack order, and the edges `(dependent, dependency)` between them.
pub fn graph(stack: &Stack) -> (Vec<String>, Vec<(String, String)>) {
    let nodes: Vec<String> = stack.blocks().iter().map(Resource::path).collect();
    let known: HashSet<&str> = nodes.iter().map(String::as_str).collect();
    let mut edges = Vec::new();
    let mut seen = HashSet::new();
    for r in stack.blocks() {
        let from = r.path();
        let mut targets = Vec::new();
        let mut visit = |e: &Expression| {
            if let Expression::Traversal(t) = e {
                match &t.root {
                    Root::Resource(a) => targets.push(a.to_string()),
                    Root::Data(a) => targets.push(format!("data.{a}")),
                    Root::Ephemeral(a) => targets.push(format!("ephemeral.{a}")),
                    _ => {}
                }
            }
        };
        r.body().walk(&mut visit);
        if let Some(Repetition::Count(e) | Repetition::ForEach(e)) = r.repetition() {
            e.walk(&mut visit);
        }
        targets.extend(r.dependencies().iter().filter_map(crate::expr::Traversal::object_path));
        for to in targets {
            if to != from && known.contains(to.as_str()) && seen.insert((from.clone(), to.clone())) {
                edges.push((from.clone(), to));
            }
        }
    }
    (nodes, edges)
}

/// The blocks grouped by the component that added them (`stack` for the stack's own), groups
/// in order of first appearance.
fn components(stack: &Stack) -> Vec<(&'static str, Vec<String>)> {
    let mut groups: Vec<(&'static str, Vec<String>)> = Vec::new();
    for r in stack.blocks() {
        let component = r.component().unwrap_or("stack");
        match groups.iter_mut().find(|(c, _)| *c == component) {
            Some((_, nodes)) => nodes.push(r.path()),
            None => groups.push((component, vec![r.path()])),
        }
    }
    groups
}

/// The graph as a Mermaid flowchart, dependencies to the right, a subgraph per component.
pub fn mermaid(stack: &Stack) -> String {
    let (_, edges) = graph(stack);
    let mut out = String::from("graph LR\n");
    for (component, nodes) in components(stack) {
        let _ = writeln!(out, "  subgraph {} [\"{component}\"]", node_id(component));
        for n in &nodes {
            let shape = if n.starts_with("data.") { ("[(", ")]") } else { ("[", "]") };
            let _ = writeln!(out, "    {}{}\"{n}\"{}", node_id(n), shape.0, shape.1);
        }
        out.push_str("  end\n");
    }
    for (from, to) in &edges {
        let _ = writeln!(out, "  {} --> {}", node_id(from), node_id(to));
    }
    out
}

/// The graph in Graphviz dot, a cluster per component.
pub fn dot(stack: &Stack) -> String {
    let (_, edges) = graph(stack);
    let mut out =
        format!("digraph \"{}/{}\" {{\n  rankdir=LR;\n  node [shape=box];\n", stack.name(), stack.environment());
    for (i, (component, nodes)) in components(stack).into_iter().enumerate() {
        let _ = writeln!(out, "  subgraph cluster_{i} {{\n    label=\"{component}\";");
        for n in &nodes {
            let shape = if n.starts_with("data.") { " [shape=ellipse]" } else { "" };
            let _ = writeln!(out, "    \"{n}\"{shape};");
        }
        out.push_str("  }\n");
    }
    for (from, to) in &edges {
        let _ = writeln!(out, "  \"{from}\" -> \"{to}\";");
    }
    out.push_str("}\n");
    out
}

/// The stacks' own graph in Mermaid: which stack imports from which, and the order they plan
/// in (`order`, levels joined by arrows).
pub fn mermaid_stacks(edges: &[(&str, &str)], order: &str) -> String {
    let mut out = format!("%% stacks in plan order: {order}\ngraph LR\n");
    for (consumer, producer) in edges {
        let _ = writeln!(out, "  stack_{} -->|imports from| stack_{}", node_id(consumer), node_id(producer));
    }
    out
}

/// The stacks' own graph in dot.
pub fn dot_stacks(edges: &[(&str, &str)], order: &str) -> String {
    let mut out = format!("// stacks in plan order: {order}\ndigraph stacks {{\n  rankdir=LR;\n");
    for (consumer, producer) in edges {
        let _ = writeln!(out, "  \"{consumer}\" -> \"{producer}\" [label=\"imports from\"];");
    }
    out.push_str("}\n");
    out
}

fn node_id(address: &str) -> String {
    address.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect()
}

#[cfg(test)]
mod tests {
    use crate::model::{Arguments, Resource, Stack};

    #[test]
    fn references_become_edges() {
        let mut s = Stack::new("g", "production");
        let vpc = s.add(Resource::new("aws_vpc", "main").set("cidr_block", "10.0.0.0/16"));
        let subnet = s.add(Resource::new("aws_subnet", "a").set("vpc_id", vpc.id()).set("cidr_block", "10.0.0.0/24"));
        s.add(Resource::new("aws_instance", "web").set("subnet_id", subnet.id()).depends_on(&vpc));
        let (nodes, edges) = super::graph(&s);
        assert_eq!(nodes, ["aws_vpc.main", "aws_subnet.a", "aws_instance.web"]);
        let pairs: Vec<(&str, &str)> = edges.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        assert_eq!(
            pairs,
            [
                ("aws_subnet.a", "aws_vpc.main"),
                ("aws_instance.web", "aws_subnet.a"),
                ("aws_instance.web", "aws_vpc.main")
            ]
        );
        let mermaid = super::mermaid(&s);
        assert!(mermaid.contains("  aws_instance_web --> aws_subnet_a\n"), "{mermaid}");
        assert!(mermaid.contains("  subgraph stack [\"stack\"]\n    aws_vpc_main[\"aws_vpc.main\"]\n"), "{mermaid}");
        assert!(super::dot(&s).contains("  \"aws_instance.web\" -> \"aws_subnet.a\";\n"));
    }
}
