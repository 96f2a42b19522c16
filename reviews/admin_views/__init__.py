"""Staff pages added to the Django admin: the request page and its actions, the committee agenda,
and the downloads. Each module is a few plain views; the ModelAdmins in reviews/admin_requests.py and
reviews/admin.py route to them."""
