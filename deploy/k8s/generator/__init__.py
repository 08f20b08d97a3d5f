"""The modules of ``deploy/k8s/generate.py``, one concern each:

- ``cluster``: the cluster's names and sizes (domain, hosts, data services, mail relay,
  Secrets made outside the manifests, resources) and the labels every object carries;
- ``discovery``: the workspace's services and front ends, their settings and wiring;
- ``pods``: what every pod looks like (container, probes, pod security, migration Job);
- ``workloads``: a service's Deployments, disruption budgets, autoscalers;
- ``network``: each service's NetworkPolicy;
- ``services``: every object of one service; ``frontend``: every object of a front end;
- ``edge`` and ``ingress``: the API origin's path prefixes, written as the Ingress objects
  and as the compose gateway's configuration;
- ``data``: Kafka topics, databases and roles.

``generate.py`` loads this package by path (it runs as a script and tests load it by path).
"""
