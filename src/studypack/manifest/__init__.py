"""pack.yaml -> a validated `Manifest` (load.py), with every problem named at its file:line:col.

The YAML is read with positions (yamlpos), checked against the schema
(schema, through yamlschema's messages) and across values (checks), and the
pack's file names are kept inside the pack (packfiles); wording words it all.
"""
