"""Stand-in for azure.identity (not packaged by Debian): the names clients/utils/llm.py imports."""


def get_bearer_token_provider(credential, *scopes):
    raise RuntimeError("stand-in azure.identity: no Azure tokens in the real-source suite")


class AzureCliCredential:
    pass


class ManagedIdentityCredential:
    def __init__(self, client_id=None):
        self.client_id = client_id
