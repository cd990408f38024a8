//! Reading policy files: encoding detection, HTML to text, directory walking.
