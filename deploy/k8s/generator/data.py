"""The data services' part: a KafkaTopic per topic and dead-letter topic, and one
CloudNativePG database and login role per service and front end."""

from __future__ import annotations

from typing import Any

from srs_common.contracts import SERVICE_TOPICS

from .cluster import KAFKA_CLUSTER, PART_OF, POSTGRES_CLUSTER, ROLE_CONNECTION_LIMIT, meta
from .discovery import deployed_services, service_settings, with_database


def topic_objects(partitions: int) -> list[dict[str, Any]]:
    """A KafkaTopic per service topic and per dead-letter topic."""
    topics = []
    for service in deployed_services():
        settings = service_settings(service)
        if service in SERVICE_TOPICS:
            assert settings.topic == SERVICE_TOPICS[service], (service, settings.topic)
            topics.append((service, settings.topic))
        topics.extend((service, topic) for topic in settings.own_dead_letter_topics)
    return [
        {
            "apiVersion": "kafka.strimzi.io/v1beta2",
            "kind": "KafkaTopic",
            "metadata": {
                "name": topic.replace(".", "-"),
                "labels": {
                    "strimzi.io/cluster": KAFKA_CLUSTER,
                    "app.kubernetes.io/name": f"srs-{service}",
                    "app.kubernetes.io/part-of": PART_OF,
                },
            },
            "spec": {
                "topicName": topic,
                "partitions": partitions,
                "replicas": 3,
                "config": {
                    "min.insync.replicas": 2,
                    "unclean.leader.election.enable": False,
                    "cleanup.policy": "delete",
                    "retention.ms": 604800000 if ".dlq." not in topic else 2592000000,
                },
            },
        }
        for service, topic in topics
    ]


def database_objects() -> list[dict[str, Any]]:
    """One CloudNativePG ``Database`` per service, owned by the service's own role."""
    return [
        {
            "apiVersion": "postgresql.cnpg.io/v1",
            "kind": "Database",
            "metadata": meta(f"srs-{service}", service, "database"),
            "spec": {
                "cluster": {"name": POSTGRES_CLUSTER},
                "name": f"srs_{service}",
                "owner": f"srs_{service}",
                "ensure": "present",
                "databaseReclaimPolicy": "retain",
            },
        }
        for service in with_database()
    ]


def postgres_roles_patch() -> dict[str, Any]:
    """Managed roles and host-based rules: each service's role reaches only its database."""
    return {
        "apiVersion": "postgresql.cnpg.io/v1",
        "kind": "Cluster",
        "metadata": {"name": POSTGRES_CLUSTER},
        "spec": {
            "managed": {
                "roles": [
                    {
                        "name": f"srs_{service}",
                        "ensure": "present",
                        "login": True,
                        "connectionLimit": ROLE_CONNECTION_LIMIT,
                        # Password from a basic-auth Secret created outside the manifests.
                        "passwordSecret": {"name": f"srs-{service}-database-credentials"},
                    }
                    for service in with_database()
                ]
            },
            "postgresql": {
                "pg_hba": [
                    f"hostssl srs_{service} srs_{service} all scram-sha-256"
                    for service in with_database()
                ]
                + ["host all all all reject"]
            },
        },
    }
