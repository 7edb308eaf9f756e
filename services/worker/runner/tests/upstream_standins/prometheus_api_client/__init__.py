"""Stand-in for prometheus_api_client (not packaged by Debian): the one class AIOpsLab imports."""


class PrometheusConnect:
    def __init__(self, url=None, headers=None, disable_ssl=False, **kwargs):
        self.url = url

    def custom_query(self, *args, **kwargs):
        raise ConnectionError("stand-in PrometheusConnect: no Prometheus in the real-source suite")

    custom_query_range = custom_query
