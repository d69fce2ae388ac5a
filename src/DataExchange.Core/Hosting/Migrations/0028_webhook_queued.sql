-- When a webhook delivery was handed to Hangfire (issue 19, item 8). A process that stops between the
-- fan-out's commit and the enqueue leaves pending deliveries that no job will ever send; the outbox
-- dispatcher re-queues pending deliveries without queued_at once they are a minute old.
alter table dx.webhook_deliveries add column queued_at timestamptz;

-- Deliveries already attempted or finished were queued. Pending ones never attempted may be stuck: the
-- sweep queues them (one already waiting in Hangfire is then sent twice, under the same delivery id).
update dx.webhook_deliveries set queued_at = created_at where status <> 'pending' or attempts > 0;

create index webhook_deliveries_unqueued on dx.webhook_deliveries (created_at) where status = 'pending' and queued_at is null;
