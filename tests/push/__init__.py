"""The push service: notify(), the dispatcher against a fake FCM, devices and preferences."""
