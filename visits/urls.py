from visits import views

urlpatterns = views.urlpatterns
