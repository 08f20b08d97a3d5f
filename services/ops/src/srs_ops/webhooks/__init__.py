"""Partner webhooks: subscriptions, signed deliveries with retries, the delivery log."""
