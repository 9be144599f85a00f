"""The built-in promises of the DeployHQ Users API: one file per operation or concern, judged by deployhq_contract."""
