# Repair orders and complaints arrive with their own issue; the app is registered so its
# migrations have a home from the start.
