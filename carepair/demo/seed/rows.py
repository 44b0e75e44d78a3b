"""Quick unsaved instances for bulk_create.

Django's Model.__init__ walks every field and descriptor for each row; for the hundreds
of thousands of rows of a large scale it was the seed's largest single cost. These
factories fill an instance's fields directly instead (no signals are sent: none of the
seeded models listens to pre_init or post_init), and the rows then go through the
ordinary bulk_create.
"""

from django.db.models.base import ModelState


class Rows:
    """`Rows(Activity)(kind=..., recorded_by_id=..., institution=org)` makes an unsaved
    Activity. Foreign keys take an id (`x_id=`) or an object (`x=`); an object without a
    primary key yet is resolved by bulk_create once it has one."""

    def __init__(self, model):
        self.model = model
        self.defaults = {}
        self.relations = {}
        for field in model._meta.concrete_fields:
            self.defaults[field.attname] = None if field.primary_key else field.get_default()
            if field.is_relation:
                self.relations[field.name] = field

    def __call__(self, **values):
        obj = self.model.__new__(self.model)
        state = ModelState()
        data = dict(self.defaults)
        for name, value in values.items():
            field = self.relations.get(name)
            if field is None:
                data[name] = value
            else:
                data[field.attname] = value.pk if value is not None else None
                if value is not None:
                    state.fields_cache[name] = value
        obj.__dict__.update(data)
        obj._state = state
        return obj
