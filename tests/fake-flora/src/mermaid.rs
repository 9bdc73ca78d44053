//! The Mermaid flowchart subset `PATCH /projects/{id}/canvas` accepts: a `graph`/`flowchart`
//! header, node declarations such as `img1["Product photo (Image)"]`, edge chains such as
//! `a --> b -->|label| c`, and `subgraph … end` (read but not applied, with a warning).

/// One node as a diagram names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    pub id: String,
    /// The label without its type suffix; `None` for a bare id.
    pub label: Option<String>,
    /// `image`, `video`, `audio` or `text`, from a `(Image)`-style label suffix.
    pub media: Option<&'static str>,
}

/// A parsed diagram: every node mention in order (first mention wins the label) and the edges.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagram {
    pub nodes: Vec<Declared>,
    pub edges: Vec<(String, String)>,
    pub warnings: Vec<String>,
}

impl Diagram {
    fn mention(&mut self, node: Declared) {
        match self.nodes.iter_mut().find(|n| n.id == node.id) {
            Some(existing) if existing.label.is_none() && node.label.is_some() => *existing = node,
            Some(_) => {}
            None => self.nodes.push(node),
        }
    }
}

/// Parses `source`, or says (in lowercase) what is wrong with it.
pub fn parse(source: &str) -> Result<Diagram, String> {
    let mut statements = source
        .lines()
        .flat_map(|line| line.split(';'))
        .map(str::trim)
        .filter(|s| !s.is_empty() && !s.starts_with("%%"));
    let header = statements
        .next()
        .ok_or_else(|| "diagram is empty".to_owned())?;
    let mut words = header.split_whitespace();
    if !matches!(words.next(), Some("graph" | "flowchart")) {
        return Err("diagram must start with `graph` or `flowchart`".to_owned());
    }
    let mut diagram = Diagram::default();
    let mut warned_subgraph = false;
    for statement in statements {
        let keyword = statement.split_whitespace().next().unwrap_or("");
        match keyword {
            "subgraph" => {
                if !warned_subgraph {
                    diagram.warnings.push(
                        "subgraph grouping is not applied; its nodes were added ungrouped"
                            .to_owned(),
                    );
                    warned_subgraph = true;
                }
            }
            "end" | "direction" | "classDef" | "class" | "style" | "linkStyle" | "click" => {}
            _ => chain(statement, &mut diagram)?,
        }
    }
    Ok(diagram)
}

/// One statement: `node (arrow node)*`.
fn chain(statement: &str, diagram: &mut Diagram) -> Result<(), String> {
    let mut cursor = Cursor {
        chars: statement.chars().collect(),
        at: 0,
    };
    let mut previous = cursor.node()?;
    diagram.mention(previous.clone());
    loop {
        cursor.skip_space();
        if cursor.done() {
            return Ok(());
        }
        cursor.arrow()?;
        let next = cursor.node()?;
        diagram.mention(next.clone());
        diagram.edges.push((previous.id, next.id.clone()));
        previous = next;
    }
}

struct Cursor {
    chars: Vec<char>,
    at: usize,
}

impl Cursor {
    fn done(&self) -> bool {
        self.at >= self.chars.len()
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
    }

    fn rest(&self) -> String {
        self.chars[self.at.min(self.chars.len())..].iter().collect()
    }

    /// `id` optionally followed by a shape holding its label.
    fn node(&mut self) -> Result<Declared, String> {
        self.skip_space();
        let start = self.at;
        while self.peek().is_some_and(|c| c.is_alphanumeric() || c == '_') {
            self.at += 1;
        }
        if self.at == start {
            return Err(format!("expected a node id at {:?}", self.rest()));
        }
        let id: String = self.chars[start..self.at].iter().collect();
        let label = match self.peek() {
            Some('[' | '(' | '{') => Some(self.shape()?),
            _ => None,
        };
        let (label, media) = match label {
            Some(text) => {
                let (label, media) = split_suffix(&text);
                (Some(label), media)
            }
            None => (None, None),
        };
        Ok(Declared { id, label, media })
    }

    /// A bracketed label, nested brackets and a quoted body allowed: `["…"]`, `(…)`, `{…}`.
    fn shape(&mut self) -> Result<String, String> {
        let mut depth = 0usize;
        let mut text = String::new();
        let mut quoted = false;
        while let Some(c) = self.peek() {
            self.at += 1;
            match c {
                '"' => quoted = !quoted,
                '[' | '(' | '{' if !quoted => {
                    depth += 1;
                    if depth > 1 && !text.is_empty() {
                        text.push(c);
                    }
                }
                ']' | ')' | '}' if !quoted => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(text.trim().to_owned());
                    }
                    if !text.is_empty() {
                        text.push(c);
                    }
                }
                _ => text.push(c),
            }
        }
        Err("a node label is not closed".to_owned())
    }

    /// `-->`, `---`, `-.->`, `==>`, each optionally followed by `|text|`, or `-- text -->`.
    fn arrow(&mut self) -> Result<(), String> {
        let start = self.at;
        while self
            .peek()
            .is_some_and(|c| matches!(c, '-' | '=' | '.' | '>' | 'o' | 'x' | '<'))
        {
            // `o`/`x` only end arrows; a node id may start with them after whitespace.
            if matches!(self.peek(), Some('o' | 'x')) && self.at > start {
                break;
            }
            self.at += 1;
        }
        let arrow: String = self.chars[start..self.at].iter().collect();
        if arrow.len() < 2 || !(arrow.contains('-') || arrow.contains('=')) {
            return Err(format!("expected an arrow at {:?}", self.rest_from(start)));
        }
        if !arrow.ends_with('>') && !arrow.ends_with("--") && !arrow.ends_with("==") {
            return Err(format!("expected an arrow at {:?}", self.rest_from(start)));
        }
        self.skip_space();
        if self.peek() == Some('|') {
            self.at += 1;
            while self.peek().is_some_and(|c| c != '|') {
                self.at += 1;
            }
            if self.peek() != Some('|') {
                return Err("an edge label is not closed".to_owned());
            }
            self.at += 1;
        } else if arrow == "--" || arrow == "==" {
            // `-- text -->`: skip the text up to the arrow head.
            while !self.done() && !self.rest().starts_with("-->") && !self.rest().starts_with("==>")
            {
                self.at += 1;
            }
            if self.done() {
                return Err("an edge label has no arrow head".to_owned());
            }
            self.at += 3;
        }
        Ok(())
    }

    fn rest_from(&self, at: usize) -> String {
        self.chars[at..].iter().collect()
    }
}

/// `Product photo (Image)` → (`Product photo`, image).
fn split_suffix(label: &str) -> (String, Option<&'static str>) {
    let suffixes = [
        ("(Image)", "image"),
        ("(Video)", "video"),
        ("(Audio)", "audio"),
        ("(Text)", "text"),
    ];
    for (suffix, media) in suffixes {
        let lower = label.to_ascii_lowercase();
        if lower.ends_with(&suffix.to_ascii_lowercase()) {
            let text = label[..label.len() - suffix.len()].trim().to_owned();
            return (text, Some(media));
        }
    }
    (label.to_owned(), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_declarations_and_chains() {
        let diagram = parse(concat!(
            "graph LR\n  source[\"Product photo (Image)\"]\n",
            "  output[\"Editorial image (Image)\"]\n  source --> output\n",
            "  n1 -->|tone| copy(\"Caption (Text)\") --> output;\n  %% note",
        ))
        .unwrap();
        let ids: Vec<_> = diagram.nodes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["source", "output", "n1", "copy"]);
        assert_eq!(diagram.nodes[0].label.as_deref(), Some("Product photo"));
        assert_eq!(diagram.nodes[3].media, Some("text"));
        assert_eq!(diagram.nodes[2].label, None);
        assert_eq!(
            diagram.edges,
            [
                ("source".into(), "output".into()),
                ("n1".into(), "copy".into()),
                ("copy".into(), "output".into()),
            ]
        );
    }

    #[test]
    fn subgraphs_warn_and_junk_fails() {
        let diagram = parse("flowchart TD\nsubgraph g\n a[\"x\"]\nend").unwrap();
        assert_eq!(diagram.warnings.len(), 1);
        assert_eq!(diagram.nodes[0].media, None);
        assert!(parse("").is_err());
        assert!(parse("sequenceDiagram\n a->>b: hi").is_err());
        assert!(parse("graph LR\n a[\"open").is_err());
        assert!(parse("graph LR\n a ~~ b").is_err());
        let labelled = parse("graph LR\n a -- uses --> b").unwrap();
        assert_eq!(labelled.edges, [("a".into(), "b".into())]);
    }
}
